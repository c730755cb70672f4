// C-style code: an array of records grown by 1.5x with realloc whenever it is full, never
// freed, not even at exit (no teardown frees anything). The run ends just after a growth
// step, so the last step of the staircase comes in the last few percent of the run.
// Usage: realloc_array [RECORDS_PER_SECOND] [STEPS]   (default 1,500,000/s, 32 steps)

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

struct Entry {
  uint32_t key;
  uint32_t flags;
  uint64_t value;
};

Entry* s_entries = nullptr;  // the leak: grown forever, never freed
size_t s_count = 0;
size_t s_capacity = 0;

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Returns true when the array had to grow.
[[gnu::noinline]] bool append(uint32_t key, uint64_t value) {
  bool grew = false;
  if (s_count == s_capacity) {
    const size_t capacity = s_capacity < 16 ? 16 : s_capacity + s_capacity / 2;
    void* bigger = std::realloc(s_entries, capacity * sizeof(Entry));
    if (bigger == nullptr) std::abort();
    s_entries = static_cast<Entry*>(bigger);
    s_capacity = capacity;
    grew = true;
  }
  s_entries[s_count++] = Entry{key, 0, value};
  return grew;
}

}  // namespace

int main(int argc, char** argv) {
  const double rate = argc > 1 ? std::atof(argv[1]) : 1500000.0;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 32;
  const double start = nowS();
  int grown = 0;
  double lastStep = 0;
  // Append at a steady rate until the array has grown `steps` times, then a little longer.
  while (grown < steps) {
    const double now = nowS();
    const auto due = static_cast<size_t>((now - start) * rate);
    while (s_count < due && grown < steps) {
      if (append(static_cast<uint32_t>(s_count), s_count)) {
        ++grown;
        lastStep = nowS() - start;
      }
    }
    const struct timespec pause { 0, 1000000 };
    nanosleep(&pause, nullptr);
  }
  // 3% of the run after the last step, so it lands in the run's last 5%.
  const double end = lastStep / 0.97;
  while (nowS() - start < end) {
    const struct timespec pause { 0, 2000000 };
    nanosleep(&pause, nullptr);
  }
  std::printf("kept %zu entries in %zu bytes; last growth at %.2f s of %.2f s\n", s_count,
              s_capacity * sizeof(Entry), lastStep, nowS() - start);
  return 0;
}
