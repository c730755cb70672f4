#include "record/stack_memo.hpp"

#include <pthread.h>

#include <atomic>
#include <new>

#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

[[gnu::tls_model("initial-exec")]] thread_local StackMemo* t_memo = nullptr;

// Memos of exited threads, for the next threads to start: a program starting threads all
// the time maps a few memos, not one a thread.
constexpr unsigned kPooled = 16;
std::atomic<StackMemo*> s_pool[kPooled] = {};

pthread_key_t s_key;
std::atomic<bool> s_keyMade{false};

void giveBack(void* value) {
  auto* memo = static_cast<StackMemo*>(value);
  // The thread may still capture after this destructor (another one may allocate): it
  // then starts a fresh memo, and the key brings this destructor round again.
  if (t_memo == memo) t_memo = nullptr;
  memo->forget();
  for (std::atomic<StackMemo*>& slot : s_pool) {
    StackMemo* empty = nullptr;
    if (slot.compare_exchange_strong(empty, memo, std::memory_order_acq_rel)) return;
  }
  unmapPages(memo, sizeof(StackMemo));
}

[[gnu::noinline]] StackMemo* adopt() {
  // Without the key a memo would outlive its thread: walk without one instead.
  if (!s_keyMade.load(std::memory_order_acquire)) return nullptr;
  StackMemo* memo = nullptr;
  for (std::atomic<StackMemo*>& slot : s_pool) {
    memo = slot.exchange(nullptr, std::memory_order_acq_rel);
    if (memo != nullptr) break;
  }
  if (memo == nullptr) {
    memo = StackMemo::make();
    if (memo == nullptr) return nullptr;
  }
  // A key below PTHREAD_KEY_2NDLEVEL_SIZE is set without allocating.
  if (pthread_setspecific(s_key, memo) != 0) {
    giveBack(memo);
    return nullptr;
  }
  t_memo = memo;
  return memo;
}

}  // namespace

StackMemo::StackMemo() : m_recent(&m_ways[0]), m_scratch(m_storage[kWays]) {
  for (unsigned w = 0; w < kWays; ++w) m_ways[w] = Way{m_storage[w], 0, 0, nullptr, 0};
}

StackMemo* StackMemo::make() {
  void* memory = mapPages(sizeof(StackMemo));
  return memory == nullptr ? nullptr : new (memory) StackMemo();
}

void StackMemo::forget() {
  for (Way& way : m_ways) {
    way.count = 0;
    way.site = nullptr;
  }
}

void StackMemo::init() {
  if (s_keyMade.load(std::memory_order_acquire)) return;
  if (pthread_key_create(&s_key, &giveBack) == 0) s_keyMade.store(true, std::memory_order_release);
}

StackMemo* StackMemo::mine() {
  if (t_memo != nullptr) [[likely]]
    return t_memo;
  return adopt();
}

}  // namespace slowburn::preload
