// The dump format: varints, record framing, each record's encoder and decoder, and the
// reader's validation of every field.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "read/dump_reader.hpp"
#include "read/payload_cursor.hpp"
#include "slowburn/checksum.hpp"
#include "slowburn/record_builder.hpp"
#include "slowburn/record_codec.hpp"
#include "slowburn/varint.hpp"
#include "synthetic_dump.hpp"

namespace {

using namespace slowburn;
using namespace slowburn::analyze;
using slowburn::testing::SyntheticDump;

// Records everything it is shown, as text, so two reads can be compared.
class Transcript : public DumpVisitor {
 public:
  std::vector<std::string> lines;
  Header header;
  std::vector<Module> modules;
  std::vector<Site> sites;
  std::vector<Snapshot> snapshots;
  std::vector<Note> notes;
  std::vector<End> ends;

  void onHeader(const Header& h) override {
    header = h;
    lines.push_back("header " + h.exe);
  }
  void onModule(const Module& m) override {
    modules.push_back(m);
    lines.push_back("module " + m.path);
  }
  void onSite(const Site& s) override {
    sites.push_back(s);
    lines.push_back("site " + std::to_string(s.id));
  }
  void onSnapshot(const Snapshot& s) override {
    snapshots.push_back(s);
    lines.push_back("snapshot " + std::to_string(s.timeNs));
  }
  void onNote(const Note& n) override {
    notes.push_back(n);
    lines.push_back("note " + n.text);
  }
  void onEnd(const End& e) override {
    ends.push_back(e);
    lines.push_back("end " + std::to_string(e.timeNs));
  }
};

SyntheticDump everyRecordType() {
  SyntheticDump d;
  d.header(4242, "/usr/bin/server", 100)
      .module(0, 0x555555554000, 0x3000, "/usr/bin/server", std::string("\x01\x02\xab", 3))
      .module(1, 0x7f0000000000, 0x200000, "/lib/libc.so.6")
      .site(0, format::SiteKind::Alloc, {0x555555555123, 0x555555555100, 0x7f0000001000})
      .site(1, format::SiteKind::Syscall, {0x555555555200}, format::SyscallOp::Read)
      .snapshot(100'000'000, 8 << 20, {{0, 10001, 1, 1, 0}}, {{1, 5, 5120}})
      .note(format::NoteKind::DroppedEvents, 3, "ring full")
      .snapshot(200'000'000, 9 << 20, {{0, 20002, 2, 1, 0, 30003}})
      .end(250'000'000, 3);
  return d;
}

ReadSummary read(const std::vector<uint8_t>& bytes, Transcript& t) {
  return readDumpBytes(bytes.data(), bytes.size(), t);
}

TEST(Varint, RoundTripsBoundaryValues) {
  for (const uint64_t v :
       {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, 1ull << 35, ~0ull >> 1, ~0ull}) {
    uint8_t buf[format::kMaxVarintBytes];
    const size_t n = format::putVarint(buf, v);
    EXPECT_EQ(n, format::varintSize(v));
    uint64_t back = 0;
    EXPECT_EQ(format::getVarint(buf, buf + n, back), n);
    EXPECT_EQ(back, v);
    // Cut short by one byte it must be refused, not misread.
    EXPECT_EQ(format::getVarint(buf, buf + n - 1, back), 0u);
  }
}

TEST(Varint, RejectsOverlongEncoding) {
  std::vector<uint8_t> eleven(11, 0x80);
  uint64_t v = 0;
  EXPECT_EQ(format::getVarint(eleven.data(), eleven.data() + eleven.size(), v), 0u);
  std::vector<uint8_t> tenthTooBig = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  EXPECT_EQ(format::getVarint(tenthTooBig.data(), tenthTooBig.data() + 10, v), 0u);
}

TEST(Varint, ZigzagRoundTripsSignedDeltas) {
  for (const int64_t v : {0ll, 1ll, -1ll, 63ll, -64ll, 1ll << 40, -(1ll << 40)}) {
    EXPECT_EQ(format::zigzagDecode(format::zigzagEncode(v)), v);
  }
  EXPECT_EQ(format::zigzagEncode(-1), 1u);
  EXPECT_EQ(format::zigzagEncode(1), 2u);
}

TEST(RecordBuilder, ReportsOverflowInsteadOfWritingPastTheBuffer) {
  uint8_t buf[32];
  format::RecordBuilder b(buf, sizeof buf);
  b.begin(format::Tag::Note);
  const std::string text = "this text is far too long to fit into a thirty-two byte buffer";
  b.bytes(text.data(), text.size());
  EXPECT_TRUE(b.overflowed());
  EXPECT_EQ(b.finish().size, 0u);
}

// Encodes record with the encoder alone (into records of at most bufferBytes); each record
// as its bytes.
template <class Record>
std::vector<std::vector<uint8_t>> encodeAlone(const Record& record, size_t bufferBytes = 1 << 16,
                                              uint32_t version = format::kVersion) {
  std::vector<uint8_t> buffer(bufferBytes);
  format::RecordBuilder b(buffer.data(), buffer.size(), version);
  std::vector<std::vector<uint8_t>> out;
  const bool ok = format::writeRecord(b, record, [&](const format::RecordBytes& r) {
    out.emplace_back(r.data, r.data + r.size);
    return r.size != 0;
  });
  EXPECT_TRUE(ok) << "the record did not fit " << bufferBytes << " bytes";
  return out;
}

// Decodes one framed record with the decoder alone, after checking its tag and checksum:
// the decoder must read exactly the payload, nothing more or less.
template <class Record>
Record decodeAlone(const std::vector<uint8_t>& bytes, format::Tag tag,
                   const format::ReadSoFar& before = {}) {
  EXPECT_EQ(bytes.at(0), static_cast<uint8_t>(tag));
  uint64_t length = 0;
  const size_t lengthBytes = format::getVarint(&bytes[1], bytes.data() + bytes.size(), length);
  EXPECT_EQ(1 + lengthBytes + length + 4, bytes.size());
  const size_t checked = bytes.size() - 4;
  EXPECT_EQ(format::recordChecksum(bytes.data(), checked), format::getU32le(&bytes[checked]));
  PayloadCursor in(&bytes[1 + lengthBytes], length, "record");
  Record record;
  if constexpr (requires { format::decode(in, record, before); }) {
    format::decode(in, record, before);
  } else {
    format::decode(in, record);
  }
  in.expectEnd();
  return record;
}

template <class Record>
Record roundTrip(const Record& record, format::Tag tag, const format::ReadSoFar& before = {}) {
  const auto records = encodeAlone(record, 1 << 16, before.version);
  EXPECT_EQ(records.size(), 1u);
  return decodeAlone<Record>(records.at(0), tag, before);
}

TEST(RecordCodec, EveryRecordRoundTripsThroughItsEncoderAndDecoder) {
  const Header header{.pid = 4242,
                      .ppid = 7,
                      .startRealtimeNs = 1'700'000'000'123'456'789ull,
                      .intervalMs = 250,
                      .sampleBytes = 65536,
                      .stackDepth = 48,
                      .exe = "/usr/bin/server"};
  EXPECT_EQ(roundTrip(header, format::Tag::Header), header);

  const Module module{.id = 3,
                      .loadAddress = 0x7f0000000000,
                      .size = 0x200000,
                      .buildId = std::string("\xde\xad\x00\xef", 4),
                      .path = "/lib/libc.so.6"};
  EXPECT_EQ(roundTrip(module, format::Tag::Module, {.modules = 3}), module);

  const std::vector<format::SiteKind> kinds = {format::SiteKind::Alloc, format::SiteKind::Alloc,
                                               format::SiteKind::Alloc, format::SiteKind::Syscall};
  // Version 1: frames inline, going down as well as up (zigzag deltas of both signs).
  const Site alloc{.id = 4,
                   .kind = format::SiteKind::Alloc,
                   .frames = {0x555500001234, 0x555500000100, 0x7fff12345678}};
  EXPECT_EQ(roundTrip(alloc, format::Tag::Site, {.siteKinds = kinds, .version = 1}), alloc);
  const Site read{.id = 4,
                  .kind = format::SiteKind::Syscall,
                  .op = format::SyscallOp::Recvmsg,
                  .frames = {0x1000}};
  EXPECT_EQ(roundTrip(read, format::Tag::Site, {.siteKinds = kinds, .version = 1}), read);

  // Version 3: a site adds its new frames under a node of the tree (here node 1, whose
  // frame is 0x7fff12345678); the decoder walks up from there for the rest.
  const std::vector<format::StackNode> before = {{format::StackNode::kRoot, 0x20},
                                                 {0, 0x7fff12345678}};
  const Site added{.id = 4,
                   .kind = format::SiteKind::Alloc,
                   .parent = 2,
                   .nodesBefore = 2,
                   .parentFrame = 0x7fff12345678,
                   .newFrames = {0x555500000100, 0x555500001234},
                   .frames = {0x555500001234, 0x555500000100, 0x7fff12345678, 0x20}};
  EXPECT_EQ(roundTrip(added, format::Tag::Site, {.siteKinds = kinds, .stackNodes = before}), added);
  // All frames shared: the site names its innermost node.
  const Site shared{.id = 4,
                    .kind = format::SiteKind::Syscall,
                    .op = format::SyscallOp::Read,
                    .parent = 1,
                    .nodesBefore = 2,
                    .parentFrame = 0x20,
                    .frames = {0x20}};
  EXPECT_EQ(roundTrip(shared, format::Tag::Site, {.siteKinds = kinds, .stackNodes = before}),
            shared);
  // A new root, and no frames at all.
  const Site root{.id = 4, .nodesBefore = 2, .newFrames = {0x40, 0x41}, .frames = {0x41, 0x40}};
  EXPECT_EQ(roundTrip(root, format::Tag::Site, {.siteKinds = kinds, .stackNodes = before}), root);
  const Site none{.id = 4, .nodesBefore = 2};
  EXPECT_EQ(roundTrip(none, format::Tag::Site, {.siteKinds = kinds, .stackNodes = before}), none);
  const Chunk chunk{.bytes = std::string("\x28\xb5\x2f\xfd anything", 13)};
  EXPECT_EQ(roundTrip(chunk, format::Tag::Chunk), chunk);

  const Snapshot snapshot{
      .timeNs = 2'000'000'000,
      .rssBytes = 9 << 20,
      .peakLiveBytes = 70007,
      .changes = {
          {.siteId = 1,
           .kind = format::SiteKind::Alloc,
           .liveBytes = 30003,
           .liveCount = 3,
           .allocsDelta = 5,
           .freesDelta = 2,
           .peakBytes = 50005},
          {.siteId = 3, .kind = format::SiteKind::Syscall, .callsDelta = 10, .bytesDelta = 3330}}};
  EXPECT_EQ(roundTrip(snapshot, format::Tag::Snapshot, {.siteKinds = kinds}), snapshot);

  const Note note{.kind = format::NoteKind::Degraded, .count = 1, .text = "out of memory"};
  EXPECT_EQ(roundTrip(note, format::Tag::Note), note);
  const End end{.timeNs = 3'000'000'000,
                .droppedEvents = 17,
                .collectorPeakRssBytes = 9 << 20,
                .blockMapPeakBytes = 1 << 20,
                .blockMapPeakBlocks = 50000};
  EXPECT_EQ(roundTrip(end, format::Tag::End), end);
  // Version 1 has no memory figures.
  const End oldEnd{.timeNs = 3'000'000'000, .droppedEvents = 17};
  EXPECT_EQ(roundTrip(end, format::Tag::End, {.version = 1}), oldEnd);
}

// The payload of a record that takes one: its bytes between the length and the checksum.
template <class Record>
std::vector<uint8_t> payloadOf(const Record& record, uint32_t version = format::kVersion) {
  const std::vector<uint8_t> bytes = encodeAlone(record, 1 << 16, version).at(0);
  uint64_t length = 0;
  const size_t lengthBytes = format::getVarint(&bytes[1], bytes.data() + bytes.size(), length);
  return {bytes.begin() + 1 + static_cast<ptrdiff_t>(lengthBytes), bytes.end() - 4};
}

TEST(RecordCodec, PayloadsAreTheMembersInTheirOrder) {
  using Bytes = std::vector<uint8_t>;
  // Integers as varints, enums as one byte, text as length and bytes.
  EXPECT_EQ(payloadOf(Header{.pid = 1,
                             .ppid = 2,
                             .startRealtimeNs = 3,
                             .intervalMs = 4,
                             .sampleBytes = 5,
                             .stackDepth = 6,
                             .exe = "ab"}),
            (Bytes{1, 2, 3, 1, 4, 5, 6, 2, 'a', 'b'}));
  EXPECT_EQ(payloadOf(Module{
                .id = 1, .loadAddress = 0x80, .size = 2, .buildId = "\x01\x02", .path = "p"}),
            (Bytes{1, 0x80, 0x01, 2, 2, 1, 2, 1, 'p'}));
  // Version 1 frames: the count, the first, then zigzag deltas (-2 is 3, +3 is 6).
  EXPECT_EQ(payloadOf(Site{.id = 0,
                           .kind = format::SiteKind::Syscall,
                           .op = format::SyscallOp::Write,
                           .frames = {0x10, 0x0e, 0x11}},
                      1),
            (Bytes{0, 1, 7, 3, 0x10, 3, 6}));
  // Version 3: no id; the count of new frames, the parent as its distance back from the
  // newest node (node 8 of 10: 2), the frames as zigzag deltas from their parents'.
  EXPECT_EQ(payloadOf(Site{.id = 0,
                           .kind = format::SiteKind::Syscall,
                           .op = format::SyscallOp::Write,
                           .parent = 9,
                           .nodesBefore = 10,
                           .parentFrame = 0x10,
                           .newFrames = {0x30, 0x2e}}),
            (Bytes{1, 7, 2, 2, 0x40, 3}));
  // A chunk is its bytes, raw.
  EXPECT_EQ(payloadOf(Chunk{.bytes = "xyz"}), (Bytes{'x', 'y', 'z'}));
  // Changes: the count, then the first site id, each next as a delta, and the kind's values;
  // the peak as itself in version 1, as its excess over the live bytes from version 3.
  const Snapshot snapshot{
      .timeNs = 1,
      .rssBytes = 2,
      .peakLiveBytes = 3,
      .changes = {
          {.siteId = 4,
           .liveBytes = 5,
           .liveCount = 6,
           .allocsDelta = 7,
           .freesDelta = 8,
           .peakBytes = 9},
          {.siteId = 6, .kind = format::SiteKind::Syscall, .callsDelta = 10, .bytesDelta = 11}}};
  EXPECT_EQ(payloadOf(snapshot, 1), (Bytes{1, 2, 3, 2, 4, 5, 6, 7, 8, 9, 2, 10, 11}));
  EXPECT_EQ(payloadOf(snapshot), (Bytes{1, 2, 3, 2, 4, 5, 6, 7, 8, 4, 2, 10, 11}));
  EXPECT_EQ(payloadOf(Note{.kind = format::NoteKind::Degraded, .count = 3, .text = "x"}),
            (Bytes{2, 3, 1, 'x'}));
  EXPECT_EQ(payloadOf(End{.timeNs = 5, .droppedEvents = 6}, 1), (Bytes{5, 6}));
  EXPECT_EQ(payloadOf(End{.timeNs = 5,
                          .droppedEvents = 6,
                          .collectorPeakRssBytes = 7,
                          .blockMapPeakBytes = 8,
                          .blockMapPeakBlocks = 9}),
            (Bytes{5, 6, 7, 8, 9}));
}

TEST(RecordCodec, AnMmapSiteRoundTripsAndItsChangesHaveTheAllocLayout) {
  const Site mapping{.id = 2, .kind = format::SiteKind::Mmap, .frames = {0x401000, 0x401234}};
  const std::vector<format::SiteKind> before = {format::SiteKind::Alloc, format::SiteKind::Syscall};
  EXPECT_EQ(roundTrip(mapping, format::Tag::Site, {.siteKinds = before, .version = 2}), mapping);

  const std::vector<format::SiteKind> kinds = {format::SiteKind::Mmap};
  const Snapshot snapshot{.timeNs = 1,
                          .changes = {{.siteId = 0,
                                       .kind = format::SiteKind::Mmap,
                                       .liveBytes = 3 << 20,
                                       .liveCount = 2,
                                       .allocsDelta = 3,
                                       .freesDelta = 1,
                                       .peakBytes = 4 << 20}}};
  EXPECT_EQ(roundTrip(snapshot, format::Tag::Snapshot, {.siteKinds = kinds}), snapshot);
  // The same five values as an alloc site's change, in the same order.
  using Bytes = std::vector<uint8_t>;
  EXPECT_EQ(payloadOf(Snapshot{.changes = {{.siteId = 0,
                                            .kind = format::SiteKind::Mmap,
                                            .liveBytes = 5,
                                            .liveCount = 6,
                                            .allocsDelta = 7,
                                            .freesDelta = 8,
                                            .peakBytes = 9}}},
                      2),
            (Bytes{0, 0, 0, 1, 0, 5, 6, 7, 8, 9}));
}

TEST(RecordCodec, AnMmapSiteWithAnOpOrAnUnknownKindIsRefused) {
  Transcript t;
  SyntheticDump withOp;
  withOp.header().site(0, format::SiteKind::Mmap, {1}, format::SyscallOp::Read);
  EXPECT_THROW(read(withOp.bytes(), t), DumpError);
  SyntheticDump unknown;
  unknown.header().site(0, static_cast<format::SiteKind>(format::kMaxSiteKind + 1), {1});
  EXPECT_THROW(read(unknown.bytes(), t), DumpError);
}

TEST(RecordCodec, APeakBelowTheLiveBytesIsWrittenAsTheLiveBytes) {
  const std::vector<format::SiteKind> kinds(2, format::SiteKind::Alloc);
  Snapshot snapshot;
  snapshot.changes = {{.siteId = 0, .liveBytes = 100, .peakBytes = 10},
                      {.siteId = 1, .liveBytes = 100, .peakBytes = 500}};
  const Snapshot back = roundTrip(snapshot, format::Tag::Snapshot, {.siteKinds = kinds});
  ASSERT_EQ(back.changes.size(), 2u);
  EXPECT_EQ(back.changes[0].peakBytes, 100u);  // a peak is never below what is live
  EXPECT_EQ(back.changes[1].peakBytes, 500u);
}

TEST(RecordCodec, ASnapshotTooBigForItsBufferIsSplitIntoRecordsOfOneTime) {
  // Every third site changed, every fifth a syscall site, values of every varint length.
  std::vector<format::SiteKind> kinds;
  Snapshot point{.timeNs = 5'000'000'000, .rssBytes = 123456789, .peakLiveBytes = 987654321};
  for (uint32_t id = 0; id < 900; ++id) {
    const bool syscall = id % 5 == 0;
    kinds.push_back(syscall ? format::SiteKind::Syscall : format::SiteKind::Alloc);
    if (id % 3 != 0) continue;
    const uint64_t v = uint64_t{1} << (id % 64);
    point.changes.push_back(
        syscall ? SiteChange{.siteId = id, .kind = kinds.back(), .callsDelta = v, .bytesDelta = ~v}
                : SiteChange{.siteId = id,
                             .liveBytes = v,
                             .liveCount = id,
                             .allocsDelta = ~v,
                             .freesDelta = v / 3,
                             .peakBytes = ~uint64_t{0}});
  }
  const size_t bufferBytes = 1000;
  const auto records = encodeAlone(point, bufferBytes);
  ASSERT_GT(records.size(), 3u);
  std::vector<SiteChange> joined;
  for (const auto& record : records) {
    EXPECT_LE(record.size(), bufferBytes);
    // Each record reads on its own, with the point's time, RSS and peak.
    const Snapshot part =
        decodeAlone<Snapshot>(record, format::Tag::Snapshot, {.siteKinds = kinds});
    EXPECT_EQ(part.timeNs, point.timeNs);
    EXPECT_EQ(part.rssBytes, point.rssBytes);
    EXPECT_EQ(part.peakLiveBytes, point.peakLiveBytes);
    EXPECT_FALSE(part.changes.empty());
    joined.insert(joined.end(), part.changes.begin(), part.changes.end());
  }
  EXPECT_EQ(joined, point.changes);
}

TEST(RecordCodec, AnEmptySnapshotIsOneRecord) {
  const Snapshot empty{.timeNs = 7};
  EXPECT_EQ(encodeAlone(empty).size(), 1u);
  EXPECT_EQ(roundTrip(empty, format::Tag::Snapshot), empty);
}

TEST(RecordCodec, TextAndFramesPastTheLimitsAreCutToThem) {
  const Module module{.buildId = std::string(100, 'b'), .path = std::string(5000, 'p')};
  const Module back = roundTrip(module, format::Tag::Module);
  EXPECT_EQ(back.buildId, std::string(format::kMaxBuildIdBytes, 'b'));
  EXPECT_EQ(back.path, std::string(format::kMaxStringBytes, 'p'));
  Site deep{.frames = std::vector<uint64_t>(format::kMaxFrames + 44, 0x401000)};
  deep.frames.front() = 0x402000;
  const Site cut = roundTrip(deep, format::Tag::Site, {.version = 1});
  ASSERT_EQ(cut.frames.size(), format::kMaxFrames);  // the innermost frames are kept
  EXPECT_EQ(cut.frames.front(), 0x402000u);
}

// Re-encodes every record it is shown.
class Reencoder : public DumpVisitor {
 public:
  explicit Reencoder(uint32_t version) : out(size_t{1} << 20, version) {}
  SyntheticDump out;
  void onHeader(const Header& h) override { out.add(h); }
  void onModule(const Module& m) override { out.add(m); }
  // Version 3: the site's STACKS nodes again (the reader keeps them to itself) and the SITE.
  void onSite(const Site& s) override { out.site(s.id, s.kind, s.frames, s.op); }
  void onSnapshot(const Snapshot& s) override { out.add(s); }
  void onNote(const Note& n) override { out.add(n); }
  void onEnd(const End& e) override { out.add(e); }
  void onTeardown(const Teardown& t) override { out.add(t); }
};

TEST(RecordCodec, WritesTheSeedDumpsByteForByte) {
  // The fuzz seeds, one of them written by the preload: the format's bytes as they were.
  const auto seeds =
      std::filesystem::path(__FILE__).parent_path() / "../../fuzz/corpus/fuzz_reader";
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
    std::ifstream file(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(file), {}};
    ASSERT_GE(bytes.size(), format::kPreambleBytes);
    Reencoder again(format::getU32le(&bytes[sizeof(format::kMagic)]));
    const ReadSummary s = readDumpBytes(bytes.data(), bytes.size(), again);
    // Compressed chunks depend on where the writer flushed: they are checked by reading.
    if (s.chunked) continue;
    // A torn tail is not a record: compare what was whole.
    EXPECT_EQ(again.out.bytes(), std::vector<uint8_t>(bytes.begin(), bytes.begin() + s.bytes))
        << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 5u);
}

TEST(Reader, RoundTripsEveryRecordType) {
  Transcript t;
  const ReadSummary s = read(everyRecordType().bytes(), t);
  EXPECT_TRUE(s.sawEnd);
  EXPECT_FALSE(s.truncated);
  EXPECT_EQ(s.records, 9u);
  EXPECT_EQ(t.header.pid, 4242u);
  EXPECT_EQ(t.header.exe, "/usr/bin/server");
  EXPECT_EQ(t.header.intervalMs, 100u);
  ASSERT_EQ(t.modules.size(), 2u);
  EXPECT_EQ(t.modules[0].loadAddress, 0x555555554000u);
  EXPECT_EQ(t.modules[0].size, 0x3000u);
  EXPECT_EQ(t.modules[0].buildId, std::string("\x01\x02\xab", 3));
  ASSERT_EQ(t.sites.size(), 2u);
  EXPECT_EQ(t.sites[0].frames,
            (std::vector<uint64_t>{0x555555555123, 0x555555555100, 0x7f0000001000}));
  EXPECT_EQ(t.sites[1].kind, format::SiteKind::Syscall);
  EXPECT_EQ(t.sites[1].op, format::SyscallOp::Read);
  ASSERT_EQ(t.snapshots.size(), 2u);
  ASSERT_EQ(t.snapshots[0].changes.size(), 2u);
  EXPECT_EQ(t.snapshots[0].changes[0].liveBytes, 10001u);
  EXPECT_EQ(t.snapshots[0].changes[1].callsDelta, 5u);
  EXPECT_EQ(t.snapshots[0].changes[1].bytesDelta, 5120u);
  EXPECT_EQ(t.snapshots[1].rssBytes, 9u << 20);
  EXPECT_EQ(t.snapshots[0].changes[0].peakBytes, 10001u);
  EXPECT_EQ(t.snapshots[1].changes[0].peakBytes, 30003u);
  EXPECT_EQ(t.snapshots[1].peakLiveBytes, 20002u);
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0].count, 3u);
  EXPECT_EQ(t.notes[0].text, "ring full");
  ASSERT_EQ(t.ends.size(), 1u);
  EXPECT_EQ(t.ends[0].droppedEvents, 3u);
}

TEST(Reader, FileCutAtEveryOffsetIsTornTailOrClearError) {
  const std::vector<uint8_t> full = everyRecordType().bytes();
  Transcript whole;
  read(full, whole);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    const std::vector<uint8_t> prefix(full.begin(), full.begin() + cut);
    Transcript t;
    try {
      const ReadSummary s = read(prefix, t);
      // What was read is exactly a prefix of the whole, and the cut is reported.
      ASSERT_LE(t.lines.size(), whole.lines.size());
      for (size_t i = 0; i < t.lines.size(); ++i) EXPECT_EQ(t.lines[i], whole.lines[i]);
      EXPECT_FALSE(s.sawEnd);
      EXPECT_TRUE(s.truncated || s.bytes == cut) << "cut at " << cut;
      if (s.truncated) {
        EXPECT_NE(s.tornTailNote.find("cut short"), std::string::npos);
      }
    } catch (const DumpError& e) {
      // Only a file without one whole record (nothing to analyse) may be refused.
      EXPECT_LT(t.lines.size(), 1u) << "cut at " << cut << ": " << e.what();
    }
  }
}

TEST(Reader, EveryFlippedByteIsDetectedOrHarmless) {
  const std::vector<uint8_t> full = everyRecordType().bytes();
  for (size_t i = 0; i < full.size(); ++i) {
    for (const uint8_t mask : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> bad = full;
      bad[i] ^= mask;
      Transcript t;
      try {
        const ReadSummary s = read(bad, t);
        // A flip that survives can only have made a length run past the end: a torn tail.
        EXPECT_TRUE(s.truncated) << "flip at " << i << " went unnoticed";
      } catch (const DumpError&) {
      }
    }
  }
}

TEST(Reader, RejectsWrongMagic) {
  std::vector<uint8_t> bytes = everyRecordType().bytes();
  bytes[0] = 'X';
  Transcript t;
  EXPECT_THROW(read(bytes, t), DumpError);
}

TEST(Reader, RejectsOtherVersionsNamingThemAndTheOnesItReads) {
  for (const uint8_t version : {0, 4, 200}) {
    std::vector<uint8_t> bytes = everyRecordType().bytes();
    bytes[8] = version;
    Transcript t;
    try {
      read(bytes, t);
      FAIL() << "version " << int{version} << " accepted";
    } catch (const DumpError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("version " + std::to_string(version) + " "), std::string::npos) << what;
      EXPECT_NE(what.find("versions 1 to 3"), std::string::npos) << what;
    }
  }
}

// Version 2's addition: where a clean exit's teardown began, after its snapshot.
TEST(Reader, ReadsTeardownAfterItsSnapshotOnceAndOnlyFromVersionTwoOn) {
  SyntheticDump d;
  d.header().site(0, format::SiteKind::Alloc, {0x1000});
  d.snapshot(100, 0, {{0, 10, 1, 1, 0}});
  d.teardown(100);
  d.snapshot(200, 0, {{0, 0, 0, 0, 1}});
  d.end(200);
  struct Seen : DumpVisitor {
    std::vector<uint64_t> teardowns;
    void onTeardown(const Teardown& t) override { teardowns.push_back(t.timeNs); }
  } seen;
  readDumpBytes(d.bytes().data(), d.size(), seen);
  EXPECT_EQ(seen.teardowns, std::vector<uint64_t>{100});

  // Version 2 wrote it too; in version 1 the tag did not exist.
  for (const uint32_t version : {1u, 2u}) {
    SyntheticDump older(size_t{1} << 20, version);
    older.header().site(0, format::SiteKind::Alloc, {0x1000});
    older.snapshot(100, 0, {{0, 10, 1, 1, 0}}).teardown(100);
    Seen olderSeen;
    if (version == 1) {
      EXPECT_THROW(readDumpBytes(older.bytes().data(), older.size(), olderSeen), DumpError);
    } else {
      readDumpBytes(older.bytes().data(), older.size(), olderSeen);
      EXPECT_EQ(olderSeen.teardowns, std::vector<uint64_t>{100});
    }
  }
  Transcript t;

  SyntheticDump twice;
  twice.header().site(0, format::SiteKind::Alloc, {0x1000});
  twice.snapshot(100, 0, {{0, 10, 1, 1, 0}}).teardown(100).teardown(100);
  EXPECT_THROW(read(twice.bytes(), t), DumpError);
  SyntheticDump early;
  early.header().site(0, format::SiteKind::Alloc, {0x1000});
  early.snapshot(100, 0, {{0, 10, 1, 1, 0}}).teardown(50);
  EXPECT_THROW(read(early.bytes(), t), DumpError);
}

TEST(Reader, ReadsVersionOneDumpsAsTheyWere) {
  // Given the same records written as version 1 (frames inline) and as version 3 (nodes),
  SyntheticDump v1(size_t{1} << 20, 1);
  v1.header()
      .site(0, format::SiteKind::Alloc, {0x401234, 0x401000, 0x7f0000001000})
      .site(1, format::SiteKind::Alloc, {0x405555, 0x401000, 0x7f0000001000})
      .snapshot(100, 1, {{0, 10, 1, 1, 0}, {1, 20, 1, 1, 0}})
      .end(100, 2);
  SyntheticDump v3;
  v3.header()
      .site(0, format::SiteKind::Alloc, {0x401234, 0x401000, 0x7f0000001000})
      .site(1, format::SiteKind::Alloc, {0x405555, 0x401000, 0x7f0000001000})
      .snapshot(100, 1, {{0, 10, 1, 1, 0}, {1, 20, 1, 1, 0}})
      .end(100, 2);
  // then both read the same, the second site sharing two of the first one's nodes.
  Transcript a, b;
  read(v1.bytes(), a);
  read(v3.bytes(), b);
  EXPECT_EQ(a.lines, b.lines);
  ASSERT_EQ(b.sites.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(a.sites[i].frames, b.sites[i].frames);
  EXPECT_EQ(b.sites[1].frames, (std::vector<uint64_t>{0x405555, 0x401000, 0x7f0000001000}));
  EXPECT_EQ(b.sites[1].parent, 2u);
  EXPECT_EQ(b.sites[1].newFrames, (std::vector<uint64_t>{0x405555}));
  EXPECT_EQ(a.ends.at(0).droppedEvents, 2u);
  // A version 1 or 2 dump may not use version 3's records.
  SyntheticDump mixed(size_t{1} << 20, 1);
  mixed.header().add(format::ChunkView{});
  Transcript t;
  EXPECT_THROW(read(mixed.bytes(), t), DumpError);
}

TEST(Reader, RejectsSitesHangingFromNodesThatDoNotExist) {
  Transcript t;
  SyntheticDump dangling;
  dangling.header().site(0, format::SiteKind::Alloc, {1, 2});  // two nodes so far
  uint8_t buf[64];
  format::RecordBuilder b(buf, sizeof buf);
  b.begin(format::Tag::Site);
  for (const uint64_t v : {0, 0, 1, 3, 2}) b.varint(v);  // parent 3 back of 2 nodes
  const format::RecordBytes rec = b.finish();
  dangling.raw(std::vector<uint8_t>(rec.data, rec.data + rec.size));
  EXPECT_THROW(read(dangling.bytes(), t), DumpError);
}

TEST(Reader, RejectsEmptyAndPreambleOnlyFiles) {
  Transcript t;
  EXPECT_THROW(read({}, t), DumpError);
  SyntheticDump d;
  EXPECT_THROW(read(d.bytes(), t), DumpError);
}

TEST(Reader, RejectsAbsurdRecordLength) {
  SyntheticDump d;
  d.header();
  // tag SITE, length 2^40: refused before anything is allocated.
  d.raw({3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  Transcript t;
  EXPECT_THROW(read(d.bytes(), t), DumpError);
}

TEST(Reader, RejectsAbsurdCountsWithValidChecksums) {
  uint8_t buf[256];
  format::RecordBuilder b(buf, sizeof buf);
  b.begin(format::Tag::Site);
  b.varint(0);
  b.u8(0);
  b.u8(0);
  b.varint(~0ull);  // frame count
  const format::RecordBytes rec = b.finish();
  SyntheticDump d;
  d.header().raw(std::vector<uint8_t>(rec.data, rec.data + rec.size));
  Transcript t;
  EXPECT_THROW(read(d.bytes(), t), DumpError);

  b.begin(format::Tag::Snapshot);
  b.varint(1);
  b.varint(1);
  b.varint(1);
  b.varint(1ull << 60);  // change count
  const format::RecordBytes snap = b.finish();
  SyntheticDump d2;
  d2.header()
      .site(0, format::SiteKind::Alloc, {1})
      .raw(std::vector<uint8_t>(snap.data, snap.data + snap.size));
  EXPECT_THROW(read(d2.bytes(), t), DumpError);
}

TEST(Reader, RejectsAPeakBelowTheLiveBytes) {
  // Version 1 writes the peak itself (version 3 its excess over the live bytes).
  uint8_t buf[64];
  format::RecordBuilder b(buf, sizeof buf, 1);
  b.begin(format::Tag::Snapshot);
  for (const uint64_t v : {1, 1, 100, 1, 0, 100, 1, 1, 0, 99}) b.varint(v);  // peak 99 < live 100
  const format::RecordBytes rec = b.finish();
  SyntheticDump d(size_t{1} << 20, 1);
  d.header()
      .site(0, format::SiteKind::Alloc, {1})
      .raw(std::vector<uint8_t>(rec.data, rec.data + rec.size));
  Transcript t;
  EXPECT_THROW(read(d.bytes(), t), DumpError);
}

TEST(Reader, RejectsReferencesToUnknownSites) {
  SyntheticDump d;
  d.header().site(0, format::SiteKind::Alloc, {1}).snapshot(1, 1, {{7, 1, 1, 1, 0}});
  Transcript t;
  EXPECT_THROW(read(d.bytes(), t), DumpError);
}

TEST(Reader, RejectsStructuralViolations) {
  Transcript t;
  SyntheticDump noHeader;
  noHeader.site(0, format::SiteKind::Alloc, {1});
  EXPECT_THROW(read(noHeader.bytes(), t), DumpError);

  SyntheticDump twoHeaders;
  twoHeaders.header().header();
  EXPECT_THROW(read(twoHeaders.bytes(), t), DumpError);

  SyntheticDump sitesOutOfOrder(size_t{1} << 20, 1);  // version 3 writes no site ids
  sitesOutOfOrder.header().site(1, format::SiteKind::Alloc, {1});
  EXPECT_THROW(read(sitesOutOfOrder.bytes(), t), DumpError);

  SyntheticDump timeBackwards;
  timeBackwards.header().snapshot(200, 1, {}).snapshot(100, 1, {});
  EXPECT_THROW(read(timeBackwards.bytes(), t), DumpError);

  SyntheticDump afterEnd;
  afterEnd.header().end(1).note(format::NoteKind::Info, 0, "late");
  EXPECT_THROW(read(afterEnd.bytes(), t), DumpError);

  SyntheticDump syscallWithoutOp;
  syscallWithoutOp.header().site(0, format::SiteKind::Syscall, {1}, format::SyscallOp::None);
  EXPECT_THROW(read(syscallWithoutOp.bytes(), t), DumpError);

  SyntheticDump unknownTag;
  unknownTag.header();
  uint8_t buf[64];
  format::RecordBuilder b(buf, sizeof buf);
  b.begin(static_cast<format::Tag>(99));
  const format::RecordBytes rec = b.finish();
  unknownTag.raw(std::vector<uint8_t>(rec.data, rec.data + rec.size));
  EXPECT_THROW(read(unknownTag.bytes(), t), DumpError);
}

TEST(Reader, SnapshotSplitAcrossRecordsKeepsOneTimestamp) {
  SyntheticDump d;
  d.header()
      .site(0, format::SiteKind::Alloc, {1})
      .site(1, format::SiteKind::Alloc, {2})
      .snapshot(500, 1, {{0, 10, 1, 1, 0}})
      .snapshot(500, 1, {{1, 20, 1, 1, 0}});
  Transcript t;
  read(d.bytes(), t);
  ASSERT_EQ(t.snapshots.size(), 2u);
  EXPECT_EQ(t.snapshots[0].timeNs, t.snapshots[1].timeNs);
}

TEST(Reader, ReadsFromAFileAndRefusesMissingOnes) {
  const std::string path = ::testing::TempDir() + "format_test.sb";
  slowburn::testing::writeFile(path, everyRecordType().bytes());
  Transcript t;
  EXPECT_TRUE(readDump(path, t).sawEnd);
  std::remove(path.c_str());
  EXPECT_THROW(readDump(path, t), DumpError);
  EXPECT_THROW(readDump("/", t), DumpError);
}

TEST(Reader, RefusesAFifoWithoutBlocking) {
  const std::string path = ::testing::TempDir() + "format_test_fifo.sb";
  ::unlink(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  Transcript t;
  // Nobody writes to the FIFO: a blocking open would hang here for ever.
  EXPECT_THROW(readDump(path, t), DumpError);
  ::unlink(path.c_str());
}

TEST(Reader, ErrorsNameTheFile) {
  const std::string path = ::testing::TempDir() + "format_test_empty.sb";
  slowburn::testing::writeFile(path, {});
  Transcript t;
  try {
    readDump(path, t);
    FAIL() << "empty file accepted";
  } catch (const DumpError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
