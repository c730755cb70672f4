#pragma once
// What an application thread tells the collector: one compact, trivially copyable record.

#include <cstdint>
#include <type_traits>

namespace slowburn::preload {

struct SiteEntry;

enum class EventOp : uint8_t {
  Alloc = 1,          // ptr, size, site: a new tracked block
  Free = 2,           // ptr: the block is about to be freed
  ReallocBegin = 3,   // ptr: realloc of ptr started; the collector sets its entry aside
  ReallocCommit = 4,  // the realloc succeeded: the set-aside block is freed
  ReallocAbort = 5,   // the realloc failed: the set-aside block is live again
  Barrier = 6,        // publish pending syscall sites now (sent before dlclose)
};

struct Event {
  uint64_t ptr;
  uint64_t size;
  SiteEntry* site;
  uint32_t thread;  // token pairing a ReallocBegin with its Commit/Abort
  EventOp op;
};

static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) == 32);

}  // namespace slowburn::preload
