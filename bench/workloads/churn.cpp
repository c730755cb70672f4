// Allocator stress at a flat level: two threads replace blocks of 16..4096 bytes in a fixed
// set of slots, each allocation reached through one of a few ~10-deep call paths, so every
// event pays for a full unwind and site lookup while live bytes never grow.
// Usage: churn [ITERATIONS_PER_THREAD]   (default 2000000)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

constexpr int kThreads = 2;
constexpr int kSlotsPerThread = 4096;  // bounded working set: at most ~8 MiB live per thread
constexpr int kPaths = 4;
constexpr int kDepth = 10;

// Keeps the compiler from proving an allocation unused and deleting it.
void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// Each level's own constant keeps GCC's identical-code folding (-fipa-icf) from merging
// the paths into one.
volatile int s_trail;

// One frame per level; the escape after the call stops it becoming a tail call, so the
// stack really is kDepth frames deep.
template <int Path, int Level>
[[gnu::noinline]] void* descend(size_t size) {
  s_trail = Path * 100 + Level;
  void* p;
  if constexpr (Level == 0) {
    p = std::malloc(size);
  } else {
    p = descend<Path, Level - 1>(size);
  }
  escape(p);
  return p;
}

template <int Path>
void* allocateOn(size_t size) {
  return descend<Path, kDepth - 1>(size);
}

using AllocateFn = void* (*)(size_t);
constexpr AllocateFn kPathsTable[kPaths] = {allocateOn<0>, allocateOn<1>, allocateOn<2>,
                                            allocateOn<3>};

// xorshift64: cheap and deterministic, so the profiler's cost is what the run measures.
uint64_t nextRandom(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

void churn(long iterations, uint64_t seed) {
  static thread_local void* slots[kSlotsPerThread];
  uint64_t state = seed;
  for (long i = 0; i < iterations; ++i) {
    const uint64_t r = nextRandom(state);
    const size_t slot = r % kSlotsPerThread;
    const size_t size = 16 + (r >> 20) % (4096 - 16 + 1);
    std::free(slots[slot]);
    slots[slot] = kPathsTable[(r >> 40) % kPaths](size);
  }
  for (void*& p : slots) {
    std::free(p);
    p = nullptr;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 2000000;
  if (iterations <= 0) {
    std::fprintf(stderr, "usage: churn [ITERATIONS_PER_THREAD]\n");
    return 2;
  }
  std::thread workers[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    workers[t] = std::thread(churn, iterations, 0x9E3779B97F4A7C15ull * (t + 1));
  }
  for (std::thread& w : workers) w.join();
  return 0;
}
