// Threads that start and end at a high rate: ROUNDS x 8 short-lived threads, each
// keeping one 5003 B block (freed by main later) and freeing one 6007 B block.
// Usage: pl_threadchurn ROUNDS
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

[[gnu::noinline]] void* shortLivedWork() {
  void* temp = std::malloc(6007);
  asm volatile("" : : "r"(temp) : "memory");
  std::free(temp);
  void* kept = std::malloc(5003);
  asm volatile("" : : "r"(kept) : "memory");
  return kept;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 250;
  std::vector<void*> blocks(static_cast<size_t>(rounds) * 8);
  for (int r = 0; r < rounds; ++r) {
    std::thread threads[8];
    for (int t = 0; t < 8; ++t) {
      threads[t] = std::thread(
          [&blocks, r, t] { blocks[static_cast<size_t>(r * 8 + t)] = shortLivedWork(); });
    }
    for (auto& th : threads) th.join();
  }
  // Freed by a thread that did not allocate them; half stay live.
  for (size_t i = 0; i < blocks.size(); i += 2) std::free(blocks[i]);
  std::printf("%zu threads\n", blocks.size());
  return 0;
}
