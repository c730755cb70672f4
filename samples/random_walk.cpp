// Live bytes do a bounded random walk: blocks are pushed or popped at random, reflecting
// between an empty and a full stack. No trend, only noise. Usage: random_walk [ROUNDS] [SEED]

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

constexpr int kMaxBlocks = 200;

[[gnu::noinline]] void* takeBlock() {
  void* p = std::malloc(3001);
  escape(p);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
  const unsigned seed = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 12345u;
  constexpr int kStepsPerRound = 200;
  void* stack[kMaxBlocks];
  int depth = kMaxBlocks / 2;
  for (int i = 0; i < depth; ++i) stack[i] = takeBlock();
  std::mt19937 rng(seed);
  for (int round = 0; round < rounds; ++round) {
    for (int step = 0; step < kStepsPerRound; ++step) {
      const bool up = (rng() & 1u) != 0;
      if ((up && depth < kMaxBlocks) || depth == 0) {
        stack[depth++] = takeBlock();
      } else {
        std::free(stack[--depth]);
      }
    }
    usleep(10000);
  }
  while (depth > 0) std::free(stack[--depth]);
  std::printf("random walk: %d rounds\n", rounds);
  return 0;
}
