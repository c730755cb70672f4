#pragma once
// What the program's threads tell the collector: compact, trivially copyable records in
// the channel's ring. Sites are named by their number on the channel, never by address:
// the collector lives in another process.
//
// Most events fill one ring slot. A definition (SiteDef, ModuleDef) is a message: its
// head slot, then body slots of raw bytes, claimed together so nothing interleaves.

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace slowburn::preload {

enum class EventOp : uint8_t {
  Alloc = 1,          // ptr, size, site: a new tracked block
  Free = 2,           // ptr: the block is about to be freed
  ReallocBegin = 3,   // ptr: realloc of ptr started; the collector sets its entry aside
  ReallocCommit = 4,  // the realloc succeeded: the set-aside block is freed
  ReallocAbort = 5,   // the realloc failed: the set-aside block is live again
  SiteDef = 6,        // site: its number; size: SiteDefShape; ptr: counter slot; frames follow
  ModuleDef = 7,      // ptr: load address; size: extent; site: path bytes; thread: build-id
                      // bytes; the build-id, then the path, follow
  Calls = 8,          // site: a syscall site without a shared counter; ptr: bytes moved
  Teardown = 9,       // main returned or exit() was called: what is live now is the
                      // running program's, what is freed next its exit teardown
  // Mappings (collect/collector_mappings.cpp): ptr and size are an address range.
  Map = 10,          // ptr, size, site: a new private anonymous mapping, replacing what it covers
  Unmap = 11,        // ptr, size: whatever the books hold there is about to go
  RemapBegin = 12,   // ptr, size, thread: the old range of an mremap; set aside until it ends
  RemapCommit = 13,  // ptr, size, site, thread: the mremap's new range (site kNoSite: the
                     // result is not to be tracked, whatever the old range was)
  RemapAbort = 14,   // thread: the mremap failed; the old range is as it was
  Note = 15,         // ptr: NoteKind; size: its count; site: text bytes, which follow
};

// A Map or RemapCommit whose site could not be defined.
inline constexpr uint32_t kNoSite = UINT32_MAX;

struct Event {
  uint64_t ptr;
  uint64_t size;
  uint32_t site;
  uint32_t thread;  // token pairing a ReallocBegin with its Commit/Abort
  EventOp op;
  uint8_t reserved[7];
};

static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) == 32);

inline constexpr size_t kEventBytes = sizeof(Event);
// Body slots a message of `bytes` needs.
inline constexpr uint32_t bodySlots(size_t bytes) {
  return static_cast<uint32_t>((bytes + kEventBytes - 1) / kEventBytes);
}

// SiteDef's size field: kind, op and frame count in one word.
inline constexpr uint64_t siteDefShape(uint8_t kind, uint8_t op, uint32_t frames) {
  return uint64_t{kind} | uint64_t{op} << 8 | uint64_t{frames} << 16;
}
inline constexpr uint8_t siteDefKind(uint64_t shape) { return static_cast<uint8_t>(shape); }
inline constexpr uint8_t siteDefOp(uint64_t shape) { return static_cast<uint8_t>(shape >> 8); }
inline constexpr uint32_t siteDefFrames(uint64_t shape) {
  return static_cast<uint32_t>(shape >> 16);
}

}  // namespace slowburn::preload
