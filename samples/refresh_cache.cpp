// A bounded cache filled at start through one path and refreshed in place through another
// (a different line), beside a small real leak. Each refresh frees an entry made by the
// fill path and makes one at the refresh path: one line climbs while the other falls by
// the same bytes, and the cache as a whole never grows.
// Usage: refresh_cache [SECONDS] [ENTRIES] [NOTE_BYTES]
//        (default 4 s, 4000 entries of 16 KiB, notes of about 200 B)

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

namespace {

constexpr size_t kEntryBytes = 16 * 1024;

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Entry {
  std::unique_ptr<char[]> value;
};

std::vector<Entry> cache;
std::vector<void*> requestLog;  // the small real leak

[[gnu::noinline]] void fill(size_t entries) {
  cache.resize(entries);
  for (Entry& e : cache) e.value.reset(new char[kEntryBytes]);  // fill path
}

[[gnu::noinline]] void refresh(size_t slot) {
  cache[slot].value.reset(new char[kEntryBytes]);  // refresh path: replaces a fill entry
}

size_t noteBytes = 200;

[[gnu::noinline]] void remember(size_t request) {
  void* note = std::malloc(noteBytes + request % 3);  // the leak: every request noted forever
  requestLog.push_back(note);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  const size_t entries = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 4000;
  if (argc > 3) noteBytes = std::strtoul(argv[3], nullptr, 10);
  std::mt19937 rng(7);
  fill(entries);
  const double start = nowS();
  size_t requests = 0;
  for (double now = start; now - start < seconds; now = nowS()) {
    // About a quarter of the cache is refreshed each second; 2,000 requests a second.
    for (int i = 0; i < 2; ++i) refresh(rng() % entries);
    for (int i = 0; i < 4; ++i) remember(requests++);
    const struct timespec pause { 0, 2000000 };
    nanosleep(&pause, nullptr);
  }
  std::printf("cache of %zu entries, %zu requests remembered\n", cache.size(), requestLog.size());
  return 0;
}
