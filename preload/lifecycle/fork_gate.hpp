#pragma once
// Keeps every dl_iterate_phdr call (libunwind's lookups during an unwind, the collector's
// module scans, the program's own) from overlapping a fork; the dl_iterate_phdr hook
// holds a Pass around the real call.
//
// dl_iterate_phdr holds the loader's dl_load_write_lock. glibc (2.36) resets dl_load_lock
// in a fork child but not that one, so a fork that lands while any other thread is
// inside dl_iterate_phdr leaves the child blocked forever on its first unwind.
//
// A big-reader lock made of atomics: a walker bumps one of several padded counters (so
// threads rarely share a cache line), then checks the gate; the fork prepare handler
// closes the gate and waits for the counters to drain. Walkers that arrive while it is
// closed wait for the fork to finish. Sequentially consistent on both sides (Dekker),
// so either the walker sees the gate closed or the forking thread sees the walker.

namespace slowburn::preload {

class ForkGate {
 public:
  // Held around one walk of the loader's list.
  class Pass {
   public:
    Pass();
    ~Pass();
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    unsigned m_shard;
  };

  // pthread_atfork handlers. close() waits (bounded) until no walk is in progress.
  static void close();
  static void reopen();
  // In the child, walks of threads that no longer exist must not count.
  static void reopenInChild();
  // Walks in progress right now (for tests).
  static long walkers();
};

}  // namespace slowburn::preload
