// An audit trail kept in one global std::string that is appended to forever: its buffer
// grows geometrically, like any string's. Beside it, healthy per-request churn.
// Usage: string_append [SECONDS] [BYTES_PER_SECOND]   (default 4 s, 24 MB/s)

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string audit;  // global, never cut: grows forever

[[gnu::noinline]] void log(const char* line) {
  audit += line;  // the leak
}

[[gnu::noinline]] size_t render(size_t request) {
  std::string page(200 + request % 700, 'p');  // healthy: freed at once
  escape(page.data());
  return page.size();
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  const double rate = argc > 2 ? std::atof(argv[2]) : 24e6;
  static const char kLine[] = "2026-11-29T12:00:00Z request served: GET /api/items 200 OK\n";
  const double lineBytes = sizeof(kLine) - 1;
  const double start = nowS();
  size_t lines = 0;
  size_t work = 0;
  for (double now = start; now - start < seconds; now = nowS()) {
    const auto due = static_cast<size_t>((now - start) * rate / lineBytes);
    for (; lines < due; ++lines) log(kLine);
    work += render(lines);
    const struct timespec pause { 0, 1000000 };
    nanosleep(&pause, nullptr);
  }
  std::printf("logged %zu lines (%zu bytes), %zu work\n", lines, audit.size(), work);
  return 0;
}
