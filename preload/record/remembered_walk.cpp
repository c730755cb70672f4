// Unwinder::captureRemembered: the walk of Unwinder::walk, taking from the thread's
// StackMemo the frames that have not changed since it last walked them (stack_memo.hpp says
// why that is exact). Every decision of the plain walk (what is kept, where it stops: the
// depth, the step bound, the stack's end) is made here the same way, frame by frame, so the
// two give the same frames for the same stack.

#include <algorithm>
#include <cstring>

#include "record/stack_memo.hpp"
#include "record/unwinder.hpp"

namespace slowburn::preload {
namespace {

using Entry = StackMemo::Entry;

uint64_t word(uint64_t address) { return *reinterpret_cast<const uint64_t*>(address); }

// How a replay of remembered entries [from, end) ended.
struct Replay {
  enum Outcome {
    Done,  // as remembered, to the stack's end or to the same cut
    Cut,   // this walk has all its frames before the remembered one had: a marker at f
    Goes,  // the walk goes on from f the plain way: the stack differs there, or the
           // remembered walk was cut at f and this one has room for more
  };
  Outcome outcome;
  uint32_t end;
  Unwinder::Frame f;
};

// rbp at remembered frame `at`, for a walk that reached old[from] with rbp bp and took the
// entries between as remembered: restored by the last rule before it that saves it.
uint64_t rbpAt(const Entry* old, uint32_t from, uint32_t at, uint64_t bp) {
  for (uint32_t k = at; k-- > from;) {
    if (old[k].rule & FrameRule::kRbpSavedBit)
      return word(old[k + 1].sp + static_cast<uint64_t>(FrameRule(old[k].rule).rbpOffset()));
  }
  return bp;
}

// The remembered walk from old[from] (whose ip and sp are those of the frame the walk is
// at, whose rbp is bp), taken as this walk would take it: its own count against depth and
// step bound, each step's return address compared with the stack's, and rbp followed as the
// walk would follow it (only where a rule reads it: rbpAt). Writes out the frames it takes.
Replay replay(const Entry* __restrict old, uint32_t from, uint32_t oldCount, uint64_t bp,
              uint64_t* __restrict buffer, uint32_t depth, uint32_t& countOut, uint32_t& stepsOut) {
  // A frame taken and stepped from by a rule whose CFA is not rbp-based: one test.
  constexpr uint64_t kShape = StackMemo::kVisited | StackMemo::kStepped | FrameRule::kCfaFromRbpBit;
  constexpr uint64_t kSpStep = StackMemo::kVisited | StackMemo::kStepped;
  uint32_t count = countOut;
  uint32_t steps = stepsOut;
  uint32_t k = from;
  Replay r{Replay::Done, oldCount, {}};
  for (;;) {
    // Each frame adds at most one to count and one to steps: this many need no bound test.
    const uint32_t room = std::min(depth - std::min(count, depth), Unwinder::kBufferFrames - steps);
    const uint32_t fastEnd = std::min(k + room, oldCount - 1);
    for (; k < fastEnd && (old[k].rule & kShape) == kSpStep; ++k) {
      const Entry& next = old[k + 1];
      buffer[count] = old[k].ip;
      count += (old[k].rule & StackMemo::kKept) ? 1 : 0;
      ++steps;
      const uint64_t ip = word(next.sp - 8);
      if (ip != next.ip) [[unlikely]] {
        r = Replay{Replay::Goes, k + 1, {ip, next.sp, rbpAt(old, from, k + 1, bp)}};
        goto done;
      }
    }
    // One frame with every test: a bound, the stack's end, a rule that reads rbp.
    const Entry& e = old[k];
    const uint64_t rule = e.rule;
    if (count >= depth || steps >= Unwinder::kBufferFrames) {
      // Cut here; by the remembered walk too when this is its marker.
      r = !(rule & StackMemo::kVisited)
              ? Replay{Replay::Done, k + 1, {}}
              : Replay{Replay::Cut, k, {e.ip, e.sp, rbpAt(old, from, k, bp)}};
      break;
    }
    if (!(rule & StackMemo::kVisited)) {  // the stack's end, or the remembered cut
      r = e.ip == 0 ? Replay{Replay::Done, k + 1, {}}
                    : Replay{Replay::Goes, k, {e.ip, e.sp, rbpAt(old, from, k, bp)}};
      break;
    }
    // The remembered step used another rbp: this walk's CFA would not be the same.
    if (rule & FrameRule::kCfaFromRbpBit) {
      const uint64_t here = rbpAt(old, from, k, bp);
      if (here != e.bp) {
        r = Replay{Replay::Goes, k, {e.ip, e.sp, here}};
        break;
      }
    }
    buffer[count] = e.ip;
    count += (rule & StackMemo::kKept) ? 1 : 0;
    // A walk ends in an entry it did not step from (k + 1 < oldCount only guards that).
    if (!(rule & StackMemo::kStepped) || k + 1 >= oldCount) {
      r = Replay{Replay::Done, k + 1, {}};
      break;
    }
    ++steps;
    const Entry& next = old[k + 1];
    // The CFA is next.sp, as remembered: the rule and what it read (sp, or rbp) are.
    const uint64_t ip = word(next.sp - 8);
    if (ip != next.ip) {
      r = Replay{Replay::Goes, k + 1, {ip, next.sp, rbpAt(old, from, k + 1, bp)}};
      break;
    }
    ++k;
  }
done:
  countOut = count;
  stepsOut = steps;
  return r;
}

Entry markerAt(const Unwinder::Frame& f) { return Entry{f.ip, f.sp, f.bp, 0}; }

// Whether the walk from the frame at old[0] (whose rbp is bp) would come out as remembered:
// every entry but the last was stepped from, so each step's words are compared in turn.
bool unchangedFrom(const Entry* old, uint32_t count, uint64_t bp) {
  constexpr uint64_t kReadsRbp = FrameRule::kCfaFromRbpBit | FrameRule::kRbpSavedBit;
  for (uint32_t k = 0; k + 1 < count; ++k) {
    const uint64_t rule = old[k].rule;
    const Entry& next = old[k + 1];
    if (rule & kReadsRbp) [[unlikely]] {
      if ((rule & FrameRule::kCfaFromRbpBit) && bp != old[k].bp) return false;
      if (rule & FrameRule::kRbpSavedBit)
        bp = word(next.sp + static_cast<uint64_t>(FrameRule(rule).rbpOffset()));
    }
    if (word(next.sp - 8) != next.ip) return false;
  }
  // A last step that failed may have failed for its rbp.
  const Entry& last = old[count - 1];
  return !(last.rule & FrameRule::kCfaFromRbpBit) || bp == last.bp;
}

}  // namespace

Unwinder::Recalled Unwinder::recall(const Frame& f, StackMemo& memo) {
  StackMemo::Way* way = memo.find(f.ip, f.sp);
  const bool unchanged =
      way != nullptr && way->epoch == rulesEpoch() && unchangedFrom(way->entries, way->count, f.bp);
  return {way, unchanged};
}

Unwinder::Remembered Unwinder::captureRemembered(const Frame& start, const Recalled& recalled,
                                                 uint64_t* buffer, uint32_t depth, StackMemo& memo,
                                                 bool skipOwn) {
  if (depth > format::kMaxFrames) depth = format::kMaxFrames;
  Frame f = start;
  const uint32_t epoch = rulesEpoch();
  // Replayed from the walk that starts here, or else from the last one; kept in the first.
  StackMemo::Way* same = recalled.way;
  StackMemo::Way& from = same != nullptr ? *same : memo.recent();
  StackMemo::Way& way = same != nullptr ? *same : memo.victim();
  const Entry* old = from.entries;
  const uint32_t oldCount = from.epoch == epoch ? from.count : 0;
  Entry* fresh = memo.scratch();
  uint32_t made = 0;    // entries of fresh
  uint32_t count = 0;   // frames written out
  uint32_t steps = 0;   // frames taken, the bound of the plain walk
  uint32_t cursor = 0;  // the first remembered entry not below f on the stack
  for (;;) {
    while (cursor < oldCount && old[cursor].sp < f.sp) ++cursor;
    if (cursor < oldCount && old[cursor].sp == f.sp && old[cursor].ip == f.ip) {
      const uint32_t start = cursor;
      const Replay r = replay(old, start, oldCount, f.bp, buffer, depth, count, steps);
      if (r.outcome == Replay::Done && start == 0 && made == 0 && r.end == oldCount)
        return {count, &from, true};  // the very stack remembered: nothing to rewrite
      std::memcpy(fresh + made, old + start, (r.end - start) * sizeof(Entry));
      made += r.end - start;
      if (r.outcome == Replay::Cut) fresh[made++] = markerAt(r.f);
      if (r.outcome != Replay::Goes) break;
      f = r.f;
      cursor = r.end + 1;  // old[r.end] is where this walk left the remembered one
    }
    // One frame the plain way (Unwinder::walk's loop body).
    if (count >= depth || f.ip == 0 || steps >= kBufferFrames) {
      fresh[made++] = markerAt(f);
      break;
    }
    Entry& e = fresh[made++];
    e.ip = f.ip;
    e.sp = f.sp;
    e.bp = f.bp;
    uint64_t taken = StackMemo::kVisited;
    if (!skipOwn || !isOwnCode(f.ip)) {
      buffer[count++] = f.ip;
      taken |= StackMemo::kKept;
    }
    const FrameRule rule = ruleFor(f.ip);
    e.rule = rule.word() | taken;
    if (!rule.isStep()) [[unlikely]] {
      if (rule.kind() == FrameRule::Kind::Outermost) break;
      memo.forget();
      return {captureSlow(buffer, depth), nullptr, false};
    }
    if (!step(rule, f)) break;
    e.rule |= StackMemo::kStepped;
    ++steps;
  }
  memo.adoptScratch(way, made, epoch);
  return {count, &way, false};
}

}  // namespace slowburn::preload
