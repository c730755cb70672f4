// Short-lived threads, as a thread-per-task server starts them: two at a time, each
// allocates a little on a ~10-deep path, does a few milliseconds of work and exits, a few
// hundred threads a second. What a profiler pays per new thread shows here.
// Usage: thread_churn [THREADS]   (default 400)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

constexpr int kAllocsPerThread = 100;
constexpr int kDepth = 10;

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

volatile int s_trail;

template <int Level>
[[gnu::noinline]] void* descend(size_t size) {
  s_trail = Level;
  void* p;
  if constexpr (Level == 0) {
    p = std::malloc(size);
  } else {
    p = descend<Level - 1>(size);
  }
  escape(p);
  return p;
}

// About 3 ms of arithmetic on this machine: the task the thread was started for.
[[gnu::noinline]] uint64_t compute(uint64_t seed) {
  uint64_t h = seed;
  for (int i = 0; i < 2000000; ++i) h = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull + i;
  return h;
}

void task(int id, uint64_t* out) {
  void* blocks[kAllocsPerThread];
  for (int i = 0; i < kAllocsPerThread; ++i)
    blocks[i] = descend<kDepth - 1>(32 + static_cast<size_t>((id * 7 + i) % 480));
  *out = compute(static_cast<uint64_t>(id));
  for (void* b : blocks) std::free(b);
}

}  // namespace

int main(int argc, char** argv) {
  const long threads = argc > 1 ? std::atol(argv[1]) : 400;
  if (threads <= 0) {
    std::fprintf(stderr, "usage: thread_churn [THREADS]\n");
    return 2;
  }
  uint64_t results[2] = {};
  uint64_t sum = 0;
  for (long i = 0; i < threads; i += 2) {
    std::thread a(task, static_cast<int>(i), &results[0]);
    std::thread b(task, static_cast<int>(i + 1), &results[1]);
    a.join();
    b.join();
    sum += results[0] ^ results[1];
  }
  std::printf("thread_churn: %ld threads, %llu\n", threads, static_cast<unsigned long long>(sum));
  return 0;
}
