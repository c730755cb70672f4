#include "lifecycle/fork_gate.hpp"

#include <sched.h>

#include <atomic>
#include <cstdint>

#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

constexpr unsigned kShards = 16;
// A fork never waits longer than this for walkers (a walker cannot block that long
// unless something is already deeply wrong; the fork must go on regardless).
constexpr uint64_t kMaxWaitNs = 1000000000ull;

struct alignas(64) Shard {
  std::atomic<long> walkers{0};
};

Shard s_shards[kShards];
std::atomic<bool> s_closed{false};
[[gnu::tls_model("initial-exec")]] thread_local unsigned t_passes = 0;

unsigned shardOfThisThread() {
  const auto address = reinterpret_cast<uintptr_t>(&t_passes);
  return static_cast<unsigned>((address >> 6) ^ (address >> 12)) % kShards;
}

}  // namespace

ForkGate::Pass::Pass() : m_shard(shardOfThisThread()) {
  std::atomic<long>& count = s_shards[m_shard].walkers;
  for (;;) {
    count.fetch_add(1, std::memory_order_seq_cst);
    // Nested passes on one thread never wait: the fork cannot be waiting on this thread.
    if (t_passes != 0 || !s_closed.load(std::memory_order_seq_cst)) break;
    count.fetch_sub(1, std::memory_order_seq_cst);
    while (s_closed.load(std::memory_order_acquire)) sched_yield();
  }
  ++t_passes;
}

ForkGate::Pass::~Pass() {
  --t_passes;
  s_shards[m_shard].walkers.fetch_sub(1, std::memory_order_seq_cst);
}

long ForkGate::walkers() {
  long n = 0;
  for (const Shard& s : s_shards) n += s.walkers.load(std::memory_order_seq_cst);
  return n;
}

void ForkGate::close() {
  s_closed.store(true, std::memory_order_seq_cst);
  // A fork from a signal handler that interrupted a walk on this very thread must not
  // wait for itself.
  const long own = static_cast<long>(t_passes);
  const uint64_t start = raw::monotonicNs();
  while (walkers() > own && raw::monotonicNs() - start < kMaxWaitNs) sched_yield();
}

void ForkGate::reopen() { s_closed.store(false, std::memory_order_release); }

void ForkGate::reopenInChild() {
  for (Shard& s : s_shards) s.walkers.store(0, std::memory_order_relaxed);
  s_shards[shardOfThisThread()].walkers.store(static_cast<long>(t_passes));
  reopen();
}

}  // namespace slowburn::preload
