#pragma once
// Each record's encoder and decoder, side by side: adding a field is its member in
// records.hpp, one line in each function below, and its producer.
//
// Encoders write through RecordBuilder: no heap, no syscalls, no exceptions, so the preload
// calls them while interposing malloc. Every rule the format states about a value (a
// change's peak is never below its live bytes, text and frames within their limits) is
// applied here, once, so no writer can break it.
//
// Decoders read one payload through In, a bounds-checked cursor that never returns from a
// failure (analyzer/read/payload_cursor.hpp throws DumpError naming the record and field):
//   uint64_t varint(const char* field);   uint8_t u8(const char* field);
//   text(const char* field, uint64_t maxBytes) -> an owning Holds::Text;
//   void requireAtLeast(uint64_t bytes, const char* field);  // before trusting a count
//   [[noreturn]] void reject(const char* message, uint64_t value = 0);  // "{}" = value
// They check what the record says against itself and against the records before it
// (ReadSoFar); the reader owns the framing around them.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "slowburn/format.hpp"
#include "slowburn/record_builder.hpp"
#include "slowburn/records.hpp"
#include "slowburn/varint.hpp"

namespace slowburn::format {

// What a record may refer to: the records read before it, and the file's version.
struct ReadSoFar {
  uint64_t modules = 0;                     // MODULE records (ids are dense)
  std::span<const SiteKind> siteKinds{};    // every SITE's kind, by id: a change's layout
  uint64_t lastTimeNs = 0;                  // of the latest SNAPSHOT
  std::span<const StackNode> stackNodes{};  // version 3: every node of the stack tree
  uint32_t version = kVersion;
};

// A change at its longest: a site id delta (u32) and five values.
inline constexpr size_t kMaxChangeBytes = 5 + 5 * kMaxVarintBytes;

namespace codec {

template <class Text>
void putText(RecordBuilder& b, const Text& text, uint32_t maxBytes) {
  b.bytes(text.data(), std::min<size_t>(text.size(), maxBytes));
}

// Decoded records own what they hold: a view would point into the reader's buffer.
template <class Holds>
inline constexpr bool kOwns = !std::is_same_v<Holds, Views>;

}  // namespace codec

// HEADER

template <class Holds>
void encode(RecordBuilder& b, const Header<Holds>& h) {
  b.begin(Tag::Header);
  b.varint(h.pid);
  b.varint(h.ppid);
  b.varint(h.startRealtimeNs);
  b.u8(static_cast<uint8_t>(h.clock));
  b.varint(h.intervalMs);
  b.varint(h.sampleBytes);
  b.varint(h.stackDepth);
  codec::putText(b, h.exe, kMaxStringBytes);
}

template <class In, class Holds>
void decode(In& in, Header<Holds>& h) {
  static_assert(codec::kOwns<Holds>);
  h.pid = in.varint("pid");
  h.ppid = in.varint("ppid");
  h.startRealtimeNs = in.varint("start time");
  const uint8_t clock = in.u8("clock");
  if (clock != static_cast<uint8_t>(ClockSource::Monotonic))
    in.reject("HEADER has unknown clock source {}", clock);
  h.clock = static_cast<ClockSource>(clock);
  h.intervalMs = in.varint("interval");
  h.sampleBytes = in.varint("sample bytes");
  h.stackDepth = in.varint("stack depth");
  if (h.stackDepth > kMaxFrames) in.reject("HEADER stack depth out of range");
  h.exe = in.text("exe", kMaxStringBytes);
}

// MODULE

template <class Holds>
void encode(RecordBuilder& b, const Module<Holds>& m) {
  b.begin(Tag::Module);
  b.varint(m.id);
  b.varint(m.loadAddress);
  b.varint(m.size);
  codec::putText(b, m.buildId, kMaxBuildIdBytes);
  codec::putText(b, m.path, kMaxStringBytes);
}

template <class In, class Holds>
void decode(In& in, Module<Holds>& m, const ReadSoFar& before) {
  static_assert(codec::kOwns<Holds>);
  const uint64_t id = in.varint("module id");
  if (id != before.modules) in.reject("MODULE id {} out of order", id);
  if (before.modules >= kMaxModules) in.reject("too many MODULE records");
  m.id = static_cast<uint32_t>(id);
  m.loadAddress = in.varint("load address");
  m.size = in.varint("size");
  m.buildId = in.text("build-id", kMaxBuildIdBytes);
  m.path = in.text("path", kMaxStringBytes);
}

// SITE

template <class Holds>
void encode(RecordBuilder& b, const Site<Holds>& s) {
  b.begin(Tag::Site);
  if (b.version() >= kStackTreeVersion) {
    b.u8(static_cast<uint8_t>(s.kind));
    b.u8(static_cast<uint8_t>(s.op));
    const size_t count = std::min<size_t>(s.newFrames.size(), kMaxFrames);
    b.varint(count);
    b.varint(s.parent == 0 ? 0 : s.nodesBefore + 1 - s.parent);
    uint64_t from = s.parentFrame;
    for (size_t i = 0; i < count; ++i) {
      b.zigzag(static_cast<int64_t>(s.newFrames[i] - from));
      from = s.newFrames[i];
    }
    return;
  }
  b.varint(s.id);
  b.u8(static_cast<uint8_t>(s.kind));
  b.u8(static_cast<uint8_t>(s.op));
  const size_t count = std::min<size_t>(s.frames.size(), kMaxFrames);
  b.varint(count);
  for (size_t i = 0; i < count; ++i) {
    if (i == 0) {
      b.varint(s.frames[0]);
    } else {
      b.zigzag(static_cast<int64_t>(s.frames[i] - s.frames[i - 1]));
    }
  }
}

// The frames of a version 3 site: its new ones (innermost last), then up from its parent.
template <class In, class Holds>
void expandStack(In& in, Site<Holds>& s, std::span<const StackNode> nodes) {
  for (size_t i = s.newFrames.size(); i-- > 0;) s.frames.push_back(s.newFrames[i]);
  // Parents are numbered before their children, so the walk ends.
  for (uint64_t node = s.parent; node != 0;) {
    if (s.frames.size() == kMaxFrames) in.reject("SITE stack deeper than the format allows");
    const StackNode& n = nodes[node - 1];
    s.frames.push_back(n.frame);
    node = n.parent == StackNode::kRoot ? 0 : uint64_t{n.parent} + 1;
  }
}

template <class In, class Holds>
void decode(In& in, Site<Holds>& s, const ReadSoFar& before) {
  static_assert(codec::kOwns<Holds>);
  const bool tree = before.version >= kStackTreeVersion;
  const uint64_t id = tree ? before.siteKinds.size() : in.varint("site id");
  if (id != before.siteKinds.size()) in.reject("SITE id {} out of order", id);
  if (id >= kMaxSites) in.reject("too many SITE records");
  s.id = static_cast<uint32_t>(id);
  const uint8_t kind = in.u8("kind");
  if (kind > kMaxSiteKind) in.reject("SITE has unknown kind {}", kind);
  s.kind = static_cast<SiteKind>(kind);
  const uint8_t op = in.u8("op");
  const bool isSyscall = s.kind == SiteKind::Syscall;
  if (isSyscall ? (op == 0 || op > kMaxSyscallOp) : op != 0)
    in.reject("SITE op {} does not fit its kind", op);
  s.op = static_cast<SyscallOp>(op);
  s.frames.clear();
  if (tree) {
    const uint64_t count = in.varint("new frame count");
    if (count > kMaxFrames) in.reject("SITE new frame count out of range");
    const uint64_t nodes = before.stackNodes.size();
    if (count > kMaxStackNodes - nodes) in.reject("too many stack nodes");
    const uint64_t back = in.varint("parent");
    if (back > nodes) in.reject("SITE's parent node does not exist");
    s.nodesBefore = static_cast<uint32_t>(nodes);
    s.parent = back == 0 ? 0 : static_cast<uint32_t>(nodes + 1 - back);
    s.parentFrame = s.parent == 0 ? 0 : before.stackNodes[s.parent - 1].frame;
    in.requireAtLeast(count, "new frames");
    s.newFrames.clear();
    s.newFrames.reserve(count);
    uint64_t from = s.parentFrame;
    for (uint64_t i = 0; i < count; ++i) {
      from += static_cast<uint64_t>(zigzagDecode(in.varint("frame")));
      s.newFrames.push_back(from);
    }
    expandStack(in, s, before.stackNodes);
    return;
  }
  const uint64_t count = in.varint("frame count");
  if (count > kMaxFrames) in.reject("SITE frame count out of range");
  in.requireAtLeast(count, "frame");
  s.frames.reserve(count);
  uint64_t previous = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t raw = in.varint("frame");
    previous = i == 0 ? raw : previous + static_cast<uint64_t>(zigzagDecode(raw));
    s.frames.push_back(previous);
  }
}

// The nodes a version 3 site adds to the tree, appended to `nodes`.
template <class Holds, class Nodes>
void addStackNodes(const Site<Holds>& s, Nodes& nodes) {
  uint32_t parent = s.parent == 0 ? StackNode::kRoot : s.parent - 1;
  for (const uint64_t frame : s.newFrames) {
    nodes.push_back(StackNode{parent, frame});
    parent = static_cast<uint32_t>(nodes.size() - 1);
  }
}

// CHUNK

template <class Holds>
void encode(RecordBuilder& b, const Chunk<Holds>& c) {
  b.begin(Tag::Chunk);
  b.raw(c.bytes.data(), c.bytes.size());
}

template <class In, class Holds>
void decode(In& in, Chunk<Holds>& c) {
  static_assert(codec::kOwns<Holds>);
  c.bytes = in.rest("compressed bytes");
}

// SNAPSHOT

// Writes one SNAPSHOT record with the changes from first on, as many as fit the builder at
// their longest; returns where the next record of the same point starts. A point of any
// size thus goes out as several records of one time (see writeRecord).
template <class Holds>
size_t encode(RecordBuilder& b, const Snapshot<Holds>& s, size_t first) {
  b.begin(Tag::Snapshot);
  const size_t head = 4 * kMaxVarintBytes;
  const size_t room = b.payloadRoom() > head ? (b.payloadRoom() - head) / kMaxChangeBytes : 0;
  // At least one: a builder too small for it overflows and says so, rather than loop.
  const size_t n = std::min(s.changes.size() - first, std::max<size_t>(room, 1));
  b.varint(s.timeNs);
  b.varint(s.rssBytes);
  b.varint(s.peakLiveBytes);
  b.varint(n);
  uint32_t previous = 0;
  for (size_t i = 0; i < n; ++i) {
    const SiteChange& c = s.changes[first + i];
    // Each record starts its own delta chain, so any one of them reads on its own.
    b.varint(i == 0 ? c.siteId : c.siteId - previous);
    previous = c.siteId;
    if (holdsBytes(c.kind)) {
      b.varint(c.liveBytes);
      b.varint(c.liveCount);
      b.varint(c.allocsDelta);
      b.varint(c.freesDelta);
      // Version 3: what the peak exceeds the live bytes by (most often nothing).
      const uint64_t peak = std::max(c.peakBytes, c.liveBytes);
      b.varint(b.version() >= kStackTreeVersion ? peak - c.liveBytes : peak);
    } else {
      b.varint(c.callsDelta);
      b.varint(c.bytesDelta);
    }
  }
  return first + n;
}

template <class In, class Holds>
void decode(In& in, Snapshot<Holds>& s, const ReadSoFar& before) {
  static_assert(codec::kOwns<Holds>);
  s.timeNs = in.varint("time");
  if (s.timeNs < before.lastTimeNs) in.reject("SNAPSHOT time goes backwards");
  s.rssBytes = in.varint("rss");
  s.peakLiveBytes = in.varint("peak live bytes");
  const uint64_t count = in.varint("change count");
  const std::span<const SiteKind> kinds = before.siteKinds;
  if (count > kinds.size()) in.reject("SNAPSHOT changes more sites than exist");
  // Every change takes at least three bytes, so a hostile count cannot force a big reserve.
  in.requireAtLeast(count * 3, "changes");
  s.changes.clear();
  s.changes.reserve(count);
  uint64_t site = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t delta = in.varint("site delta");
    if (i > 0 && delta == 0) in.reject("SNAPSHOT site ids not increasing");
    site = i == 0 ? delta : site + delta;
    if (site < delta || site >= kinds.size()) in.reject("SNAPSHOT refers to unknown site {}", site);
    SiteChange c;
    c.siteId = static_cast<uint32_t>(site);
    c.kind = kinds[site];
    if (holdsBytes(c.kind)) {
      c.liveBytes = in.varint("live bytes");
      c.liveCount = in.varint("live count");
      c.allocsDelta = in.varint("allocs");
      c.freesDelta = in.varint("frees");
      const uint64_t peak = in.varint("peak bytes");
      if (before.version >= kStackTreeVersion) {
        c.peakBytes = c.liveBytes + peak;
        if (c.peakBytes < c.liveBytes) in.reject("SNAPSHOT peak out of range");
      } else {
        c.peakBytes = peak;
        if (c.peakBytes < c.liveBytes) in.reject("SNAPSHOT peak below live bytes");
      }
    } else {
      c.callsDelta = in.varint("calls");
      c.bytesDelta = in.varint("bytes");
    }
    s.changes.push_back(c);
  }
}

// NOTE

template <class Holds>
void encode(RecordBuilder& b, const Note<Holds>& n) {
  b.begin(Tag::Note);
  b.u8(static_cast<uint8_t>(n.kind));
  b.varint(n.count);
  codec::putText(b, n.text, kMaxStringBytes);
}

template <class In, class Holds>
void decode(In& in, Note<Holds>& n) {
  static_assert(codec::kOwns<Holds>);
  const uint8_t kind = in.u8("kind");
  if (kind < static_cast<uint8_t>(NoteKind::DroppedEvents) ||
      kind > static_cast<uint8_t>(NoteKind::Info))
    in.reject("NOTE has unknown kind {}", kind);
  n.kind = static_cast<NoteKind>(kind);
  n.count = in.varint("count");
  n.text = in.text("text", kMaxStringBytes);
}

// END

inline void encode(RecordBuilder& b, const End& e) {
  b.begin(Tag::End);
  b.varint(e.timeNs);
  b.varint(e.droppedEvents);
  if (b.version() < kStackTreeVersion) return;
  b.varint(e.collectorPeakRssBytes);
  b.varint(e.blockMapPeakBytes);
  b.varint(e.blockMapPeakBlocks);
}

template <class In>
void decode(In& in, End& e, const ReadSoFar& before) {
  e.timeNs = in.varint("time");
  e.droppedEvents = in.varint("dropped events");
  if (before.version < kStackTreeVersion) return;
  e.collectorPeakRssBytes = in.varint("collector peak RSS");
  e.blockMapPeakBytes = in.varint("block map peak bytes");
  e.blockMapPeakBlocks = in.varint("block map peak blocks");
}

// TEARDOWN

inline void encode(RecordBuilder& b, const Teardown& t) {
  b.begin(Tag::Teardown);
  b.varint(t.timeNs);
}

template <class In>
void decode(In& in, Teardown& t, const ReadSoFar& before) {
  t.timeNs = in.varint("time");
  if (t.timeNs != before.lastTimeNs)
    in.reject("TEARDOWN time {} is not the time of the SNAPSHOT before it", t.timeNs);
}

// Encodes record in b and hands the finished record to emit (bool(const RecordBytes&)); a
// snapshot point may take several records. False as soon as emit returns false.
template <class Record, class Emit>
bool writeRecord(RecordBuilder& b, const Record& record, Emit&& emit) {
  encode(b, record);
  return emit(b.finish());
}

template <class Holds, class Emit>
bool writeRecord(RecordBuilder& b, const Snapshot<Holds>& snapshot, Emit&& emit) {
  size_t done = 0;
  do {
    done = encode(b, snapshot, done);
    if (!emit(b.finish())) return false;
  } while (done < snapshot.changes.size());
  return true;
}

}  // namespace slowburn::format
