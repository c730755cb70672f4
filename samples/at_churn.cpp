// Four threads allocating as fast as they can, each freeing what the previous one
// allocated (every free is a cross-thread free), in rounds. With ROUNDS it runs that many;
// without, it runs until its standard input closes, finishing the round it is in. Prints
// the rounds and a checksum of every block's contents as the freeing thread read them,
// which depends only on the number of rounds: a block corrupted, lost or freed twice
// changes it (or crashes the program).
// Usage: at_churn [ROUNDS]

#include <unistd.h>

#include <atomic>
#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 4;
constexpr int kBlocksPerRound = 2000;

struct Mailbox {
  std::mutex mutex;
  std::deque<unsigned char*> blocks;
};

Mailbox g_boxes[kThreads];
std::atomic<bool> g_stop{false};
std::atomic<bool> g_go{false};  // written by main before the round's first barrier
std::atomic<unsigned long> g_checksum{0};

size_t sizeFor(unsigned round, int thread, int i) {
  return 16 + (round * 131u + static_cast<unsigned>(thread) * 17u + static_cast<unsigned>(i) * 7u) %
                  3000;
}

[[gnu::noinline]] unsigned char* makeBlock(unsigned round, int thread, int i) {
  const size_t size = sizeFor(round, thread, i);
  auto* block = static_cast<unsigned char*>(std::malloc(size));
  std::memset(block, (round + thread + i) & 0xff, size);
  return block;
}

void run(int me, std::barrier<>& sync) {
  Mailbox& mine = g_boxes[me];
  Mailbox& next = g_boxes[(me + 1) % kThreads];
  for (unsigned round = 0;; ++round) {
    sync.arrive_and_wait();  // main decided whether this round runs
    if (!g_go.load()) return;
    unsigned long sum = 0;
    for (int i = 0; i < kBlocksPerRound; ++i) {
      unsigned char* block = makeBlock(round, me, i);
      {
        std::lock_guard lock(next.mutex);
        next.blocks.push_back(block);
      }
      unsigned char* theirs = nullptr;
      {
        std::lock_guard lock(mine.mutex);
        if (!mine.blocks.empty()) {
          theirs = mine.blocks.front();
          mine.blocks.pop_front();
        }
      }
      if (theirs != nullptr) {
        sum += theirs[0] + theirs[15];
        std::free(theirs);
      }
    }
    sync.arrive_and_wait();
    // Whatever is left in the mailbox was made this round: drain it before the next.
    std::lock_guard lock(mine.mutex);
    for (unsigned char* block : mine.blocks) {
      sum += block[0] + block[15];
      std::free(block);
    }
    mine.blocks.clear();
    g_checksum.fetch_add(sum, std::memory_order_relaxed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : -1;
  std::barrier sync(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(run, t, std::ref(sync));
  unsigned long done = 0;
  std::thread watcher;
  if (rounds < 0) {
    watcher = std::thread([] {
      char c;
      while (read(0, &c, 1) > 0) {
      }
      g_stop.store(true);
    });
  }
  for (;; ++done) {
    g_go.store(rounds >= 0 ? done < static_cast<unsigned long>(rounds) : !g_stop.load());
    sync.arrive_and_wait();
    if (!g_go.load()) break;
    sync.arrive_and_wait();  // the round's work is done
  }
  for (std::thread& t : threads) t.join();
  if (watcher.joinable()) watcher.join();
  std::printf("rounds %lu, checksum %lu\n", done, g_checksum.load());
  return 0;
}
