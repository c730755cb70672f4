// Heavy malloc/free churn at a flat level: a fixed number of message slots, a random one
// replaced again and again by a fresh block of that slot's size. Usage: churn [ROUNDS]
// (default 300)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

constexpr int kSlots = 256;

[[gnu::noinline]] void* makeMessage(size_t size) {
  void* p = std::malloc(size);
  escape(p);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
  constexpr int kOpsPerRound = 2000;
  void* slots[kSlots] = {};
  std::mt19937 rng(7);
  for (int round = 0; round < rounds; ++round) {
    for (int op = 0; op < kOpsPerRound; ++op) {
      const size_t slot = rng() % kSlots;
      std::free(slots[slot]);
      slots[slot] = makeMessage(64 + 15 * slot);
    }
    usleep(10000);
  }
  for (void* p : slots) std::free(p);
  std::printf("churn: %d rounds\n", rounds);
  return 0;
}
