// The incident's cache.push_back when the element has no heap member of its own: a global
// vector of plain structs that is appended to forever. The vector's buffer is the only
// allocation, a geometric staircase (its capacity doubles, each step twice as far from the
// last). Beside it, healthy per-request churn.
// Usage: vector_of_structs [SECONDS] [RECORDS_PER_SECOND]   (default 4 s, 1,000,000/s)

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Reading {
  uint64_t sensor;
  uint64_t timeNs;
  double value;
  double quality;
};

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<Reading> history;  // global, never trimmed: grows forever

[[gnu::noinline]] void record(uint64_t sensor, double value) {
  history.push_back(Reading{sensor, 0, value, 1.0});  // the leak
}

[[gnu::noinline]] size_t summarize(uint64_t sensor) {
  std::vector<double> window(64 + sensor % 32, 0.5);  // healthy: freed at once
  escape(window.data());
  return window.size();
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  const double rate = argc > 2 ? std::atof(argv[2]) : 1000000.0;
  const double start = nowS();
  uint64_t n = 0;
  size_t work = 0;
  for (double now = start; now - start < seconds; now = nowS()) {
    // Catch up with the steady rate, then rest a millisecond.
    const auto due = static_cast<uint64_t>((now - start) * rate);
    for (; n < due; ++n) record(n % 1000, static_cast<double>(n));
    work += summarize(n);
    const struct timespec pause { 0, 1000000 };
    nanosleep(&pause, nullptr);
  }
  std::printf("recorded %zu readings (%zu bytes of capacity), %zu work\n", history.size(),
              history.capacity() * sizeof(Reading), work);
  return 0;
}
