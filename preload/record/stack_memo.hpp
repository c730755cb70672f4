#pragma once
// The last stacks a thread captured, kept so that the next capture walks only what changed
// (the purpose of a shadow stack, without patching return addresses).
//
// A walk from a frame is a function of that frame's return address, stack pointer and rbp,
// of the rules of the return addresses it meets (a function of the address until a dlclose
// forgets them), and of the stack words it reads: each step's return address and, under a
// rule that saves rbp, the saved rbp. So when a new walk reaches a frame a remembered walk
// also had (same ip and sp, and the same rbp if the rest of the walk reads it), the rest
// comes out exactly as remembered if those words still hold what they held. Comparing
// them, in the walk's own order and stopping at the first difference (so no word is read
// that the walk itself would not read), replaces a rule lookup and a step per frame.
//
// A thread keeps kWays walks, told apart by their first frame (a loop allocating at a few
// places keeps each of them whole), in a few pages of its own from a small pool: taken on its
// first capture, given back when the thread exits (a pthread key's destructor).

#include <cstdint>

#include "record/unwinder.hpp"

namespace slowburn::preload {

// One frame a walk reached: its registers, and its rule's word with how the walk took the
// frame in the bits a rule leaves free (frame_rule.hpp).
struct StackMemoEntry {
  uint64_t ip;
  uint64_t sp;
  uint64_t bp;
  uint64_t rule;
};

// One remembered walk, and the site its stack was booked to.
struct RememberedWalk {
  StackMemoEntry* entries;
  uint32_t count;
  uint32_t epoch;  // Unwinder::rulesEpoch() when it was walked
  void* site;
  uint64_t siteTag;  // what the site is for: the caller's business

  void* siteFor(uint64_t tag) const { return siteTag == tag ? site : nullptr; }
  void rememberSite(void* s, uint64_t tag) {
    site = s;
    siteTag = tag;
  }
};

class StackMemo {
 public:
  using Entry = StackMemoEntry;
  static constexpr uint64_t kVisited = 1u << 4;  // the walk took the frame (else: a marker)
  static constexpr uint64_t kKept = 1u << 5;     // and wrote it out (not the profiler's own)
  static constexpr uint64_t kStepped = 1u << 6;  // and stepped to the next entry
  // A marker is the last entry: the walk stopped before taking its frame, because its ip is
  // 0 (the stack's end) or the walk had all the frames it could take (a cut).

  static constexpr uint32_t kEntries = Unwinder::kBufferFrames + 1;
  static constexpr unsigned kWays = 4;  // a power of two

  using Way = RememberedWalk;

  // Once, before any capture: the key whose destructor gives a thread's memo back.
  static void init();
  // This thread's memo, made on first use; nullptr when there is no memory for one.
  static StackMemo* mine();
  // A fresh memo in pages of its own (unmapPages gives them back); nullptr without memory.
  static StackMemo* make();

  // The way whose walk starts at this frame, if any.
  Way* find(uint64_t ip, uint64_t sp) {
    for (Way& way : m_ways)
      if (way.count > 0 && way.entries[0].ip == ip && way.entries[0].sp == sp) return &way;
    return nullptr;
  }
  // The walk remembered last: the likeliest to share the outer frames of the next.
  Way& recent() { return *m_recent; }
  // The way a walk starting at a new frame goes to, in turn.
  Way& victim() {
    m_victim = (m_victim + 1) & (kWays - 1);
    return m_ways[m_victim];
  }
  Entry* scratch() { return m_scratch; }
  // The scratch entries (count of them) become way's walk, under the rules' epoch.
  void adoptScratch(Way& way, uint32_t count, uint32_t epoch) {
    Entry* old = way.entries;
    way.entries = m_scratch;
    m_scratch = old;
    way.count = count;
    way.epoch = epoch;
    way.site = nullptr;
    m_recent = &way;
  }
  void forget();

 private:
  StackMemo();

  Way m_ways[kWays];
  Way* m_recent;
  unsigned m_victim = 0;
  Entry* m_scratch;
  Entry m_storage[kWays + 1][kEntries];
};

}  // namespace slowburn::preload
