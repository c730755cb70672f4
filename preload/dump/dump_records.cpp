#include "dump/dump_records.hpp"

namespace slowburn::preload {

using format::Tag;

bool writeHeader(DumpWriter& out, const HeaderFacts& facts) {
  auto b = out.builder();
  b.begin(Tag::Header);
  b.varint(facts.pid);
  b.varint(facts.ppid);
  b.varint(facts.startRealtimeNs);
  b.u8(static_cast<uint8_t>(format::ClockSource::Monotonic));
  b.varint(facts.intervalMs);
  b.varint(facts.sampleBytes);
  b.varint(facts.stackDepth);
  b.string(facts.exe);
  return out.commit(b.finish());
}

bool writeModule(DumpWriter& out, uint32_t moduleId, const ModuleFacts& module) {
  auto b = out.builder();
  b.begin(Tag::Module);
  b.varint(moduleId);
  b.varint(module.loadAddress);
  b.varint(module.size);
  b.bytes(module.buildId, module.buildIdSize);
  b.bytes(module.path,
          module.pathSize < format::kMaxStringBytes ? module.pathSize : format::kMaxStringBytes);
  return out.commit(b.finish());
}

bool writeSite(DumpWriter& out, uint32_t siteId, format::SiteKind kind, format::SyscallOp op,
               const uint64_t* frames, uint32_t frameCount) {
  auto b = out.builder();
  b.begin(Tag::Site);
  b.varint(siteId);
  b.u8(static_cast<uint8_t>(kind));
  b.u8(static_cast<uint8_t>(op));
  b.varint(frameCount);
  uint64_t previous = 0;
  for (uint32_t i = 0; i < frameCount; ++i) {
    if (i == 0) {
      b.varint(frames[0]);
    } else {
      b.zigzag(static_cast<int64_t>(frames[i] - previous));
    }
    previous = frames[i];
  }
  return out.commit(b.finish());
}

bool writeNote(DumpWriter& out, format::NoteKind kind, uint64_t count, const char* text) {
  auto b = out.builder();
  b.begin(Tag::Note);
  b.u8(static_cast<uint8_t>(kind));
  b.varint(count);
  b.string(text);
  return out.commit(b.finish());
}

bool writeEnd(DumpWriter& out, uint64_t timeNs, uint64_t droppedEvents) {
  auto b = out.builder();
  b.begin(Tag::End);
  b.varint(timeNs);
  b.varint(droppedEvents);
  return out.commit(b.finish());
}

bool writeSnapshot(DumpWriter& out, uint64_t timeNs, uint64_t rssBytes, uint64_t peakLiveBytes,
                   const SiteChange* changes, size_t count) {
  size_t done = 0;
  do {
    const size_t n = count - done < kChangesPerRecord ? count - done : kChangesPerRecord;
    auto b = out.builder();
    b.begin(Tag::Snapshot);
    b.varint(timeNs);
    b.varint(rssBytes);
    b.varint(peakLiveBytes);
    b.varint(n);
    uint32_t previous = 0;
    for (size_t i = 0; i < n; ++i) {
      const SiteChange& c = changes[done + i];
      // Each record starts its own delta chain, so any one of them reads on its own.
      b.varint(i == 0 ? c.siteId : c.siteId - previous);
      previous = c.siteId;
      b.varint(c.a);
      b.varint(c.b);
      if (c.kind == format::SiteKind::Alloc) {
        b.varint(c.c);
        b.varint(c.d);
        b.varint(c.e > c.a ? c.e : c.a);
      }
    }
    if (!out.commit(b.finish())) return false;
    done += n;
  } while (done < count);
  return true;
}

}  // namespace slowburn::preload
