// Eight threads, each doing `per` iterations: a 3001 B block handed to the next thread,
// which frees it (cross-thread frees), and every tenth iteration a realloc chain
// 101 -> 202 -> 303 B; the last `keep` chains of each thread stay live.
// Usage: pl_threads PER KEEP
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 8;

void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }

struct Mailbox {
  std::mutex lock;
  std::vector<void*> blocks;
};

Mailbox g_boxes[kThreads];

[[gnu::noinline]] void* handoffBlock() {
  void* p = std::malloc(3001);
  escape(p);
  return p;
}

[[gnu::noinline]] void* chainStart() {
  void* p = std::malloc(101);
  escape(p);
  return p;
}

[[gnu::noinline]] void* chainGrow(void* p) {
  p = std::realloc(p, 202);
  escape(p);
  return p;
}

[[gnu::noinline]] void* chainGrowAgain(void* p) {
  p = std::realloc(p, 303);
  escape(p);
  return p;
}

void drain(Mailbox& box) {
  std::vector<void*> taken;
  {
    std::lock_guard<std::mutex> hold(box.lock);
    taken.swap(box.blocks);
  }
  for (void* p : taken) std::free(p);
}

void worker(int id, long per, long keep, std::vector<void*>* kept) {
  Mailbox& next = g_boxes[(id + 1) % kThreads];
  Mailbox& mine = g_boxes[id];
  const long chains = per / 10;
  std::vector<void*> outgoing;
  outgoing.reserve(256);
  for (long i = 0; i < per; ++i) {
    outgoing.push_back(handoffBlock());
    if (outgoing.size() == 256 || i + 1 == per) {
      std::lock_guard<std::mutex> hold(next.lock);
      next.blocks.insert(next.blocks.end(), outgoing.begin(), outgoing.end());
      outgoing.clear();
    }
    if (i % 10 == 0) {
      void* c = chainGrowAgain(chainGrow(chainStart()));
      if (i / 10 >= chains - keep) {
        kept->push_back(c);
      } else {
        std::free(c);
      }
    }
    if (i % 512 == 0) drain(mine);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long per = argc > 1 ? std::atol(argv[1]) : 100000;
  const long keep = argc > 2 ? std::atol(argv[2]) : 100;
  std::vector<void*> kept[kThreads];
  for (auto& k : kept) k.reserve(static_cast<size_t>(keep));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t, per, keep, &kept[t]);
  for (auto& t : threads) t.join();
  for (auto& box : g_boxes) drain(box);
  size_t live = 0;
  for (auto& k : kept) live += k.size();
  std::printf("threads done, %zu chains kept\n", live);
  return 0;
}
