// The preload's dump writer, read back by the analyzer's validating reader; dump naming.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dump/dump_path.hpp"
#include "dump/dump_writer.hpp"
#include "read/dump_reader.hpp"

namespace {

using namespace slowburn;
using preload::DumpWriter;

struct Collected : analyze::DumpVisitor {
  analyze::Header header;
  std::vector<analyze::Module> modules;
  std::vector<analyze::Site> sites;
  std::vector<analyze::Snapshot> snapshots;
  std::vector<analyze::Note> notes;
  std::vector<analyze::End> ends;
  void onHeader(const analyze::Header& h) override { header = h; }
  void onModule(const analyze::Module& m) override { modules.push_back(m); }
  void onSite(const analyze::Site& s) override { sites.push_back(s); }
  void onSnapshot(const analyze::Snapshot& s) override { snapshots.push_back(s); }
  void onNote(const analyze::Note& n) override { notes.push_back(n); }
  void onEnd(const analyze::End& e) override { ends.push_back(e); }
};

std::string tempDir() {
  char pattern[] = "/tmp/sb-unit-XXXXXX";
  return mkdtemp(pattern);
}

// The writer is big (static buffers): keep it off the test's stack.
DumpWriter& freshWriter() {
  static DumpWriter* writer = nullptr;
  delete writer;
  writer = new DumpWriter;
  return *writer;
}

TEST(PreloadDump, EveryRecordKindRoundTripsThroughTheFileAndTheReader) {
  const std::string path = tempDir() + "/round.sb";
  DumpWriter& w = freshWriter();
  ASSERT_TRUE(w.create(path.c_str()));
  const format::HeaderView header{.pid = 4242,
                                  .ppid = 1,
                                  .startRealtimeNs = 1700000000000000000ull,
                                  .intervalMs = 100,
                                  .sampleBytes = 65536,
                                  .stackDepth = 32,
                                  .exe = "/usr/bin/thing"};
  ASSERT_TRUE(w.append(header));
  ASSERT_TRUE(w.publish());
  const char buildId[] = {'\xde', '\xad', '\xbe', '\xef'};
  const format::ModuleView module{.loadAddress = 0x555500000000,
                                  .size = 0x3000,
                                  .buildId = {buildId, sizeof buildId},
                                  .path = "/usr/bin/thing"};
  ASSERT_TRUE(w.append(module));

  const uint64_t allocFrames[] = {0x555500001234, 0x555500000100, 0x7fff12345678};
  // The first site adds its three frames to the tree (nodes 0-2); the read site one root
  // (node 3); the rest share the first one's whole stack.
  ASSERT_TRUE(w.append(
      format::SiteView{.id = 0, .newFrames = {{0x7fff12345678, 0x555500000100, 0x555500001234}}}));
  ASSERT_TRUE(w.append(format::SiteView{.id = 1,
                                        .kind = format::SiteKind::Syscall,
                                        .op = format::SyscallOp::Read,
                                        .nodesBefore = 3,
                                        .newFrames = {{0x555500002000}}}));
  // Changes at their longest fill the writer's buffer at this count: two records and a bit.
  const size_t perRecord =
      (DumpWriter::kScratchBytes - format::kMaxFramingBytes - 4 * format::kMaxVarintBytes) /
      format::kMaxChangeBytes;
  const size_t manySites = perRecord * 2 + 7;
  for (size_t i = 2; i < manySites; ++i)
    ASSERT_TRUE(w.append(format::SiteView{.id = static_cast<uint32_t>(i),
                                          .parent = 3,
                                          .nodesBefore = 4,
                                          .parentFrame = 0x555500001234}));

  std::vector<format::SiteChange> changes;
  changes.push_back({.siteId = 0,
                     .liveBytes = 30003,
                     .liveCount = 3,
                     .allocsDelta = 5,
                     .freesDelta = 2,
                     .peakBytes = 50005});
  changes.push_back(
      {.siteId = 1, .kind = format::SiteKind::Syscall, .callsDelta = 10, .bytesDelta = 3330});
  for (size_t i = 2; i < manySites; ++i) {
    changes.push_back({.siteId = static_cast<uint32_t>(i),
                       .liveBytes = i * 10,
                       .liveCount = i,
                       .allocsDelta = i});
  }
  const std::span<const format::SiteChange> firstTwo(changes.data(), 2);
  ASSERT_TRUE(w.append(format::SnapshotView{
      .timeNs = 1000, .rssBytes = 8 << 20, .peakLiveBytes = 60006, .changes = firstTwo}));
  ASSERT_TRUE(w.append(format::SnapshotView{
      .timeNs = 2000, .rssBytes = 9 << 20, .peakLiveBytes = 70007, .changes = changes}));
  ASSERT_TRUE(w.append(
      format::NoteView{.kind = format::NoteKind::DroppedEvents, .count = 17, .text = "ring full"}));
  ASSERT_TRUE(w.append(format::End{.timeNs = 3000,
                                   .droppedEvents = 17,
                                   .collectorPeakRssBytes = 5 << 20,
                                   .blockMapPeakBytes = 4096,
                                   .blockMapPeakBlocks = 200}));
  ASSERT_TRUE(w.flush(true));

  Collected got;
  const auto summary = analyze::readDump(path, got);
  EXPECT_TRUE(summary.sawEnd);
  EXPECT_FALSE(summary.truncated);
  EXPECT_TRUE(summary.chunked);  // everything after HEADER went through the compressor
  EXPECT_EQ(got.header.pid, 4242u);
  EXPECT_EQ(got.header.sampleBytes, 65536u);
  EXPECT_EQ(got.header.exe, "/usr/bin/thing");
  ASSERT_EQ(got.modules.size(), 1u);
  EXPECT_EQ(got.modules[0].buildId, std::string("\xde\xad\xbe\xef", 4));
  ASSERT_EQ(got.sites.size(), manySites);
  EXPECT_EQ(got.sites[0].frames, std::vector<uint64_t>(allocFrames, allocFrames + 3));
  EXPECT_EQ(got.sites[1].frames, std::vector<uint64_t>{0x555500002000});
  EXPECT_EQ(got.sites[manySites - 1].frames, got.sites[0].frames);
  EXPECT_EQ(got.sites[1].op, format::SyscallOp::Read);
  // One point of 2 changes, then one point split over three records with one time.
  ASSERT_EQ(got.snapshots.size(), 4u);
  EXPECT_EQ(got.snapshots[0].changes,
            (std::vector<format::SiteChange>(changes.begin(), changes.begin() + 2)));
  EXPECT_EQ(got.snapshots[0].peakLiveBytes, 60006u);
  std::vector<format::SiteChange> joined;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(got.snapshots[i].timeNs, 2000u);
    EXPECT_EQ(got.snapshots[i].rssBytes, 9u << 20);
    joined.insert(joined.end(), got.snapshots[i].changes.begin(), got.snapshots[i].changes.end());
  }
  // The rest had no peak of their own: the encoder wrote their live bytes as the peak.
  for (size_t i = 2; i < manySites; ++i) changes[i].peakBytes = changes[i].liveBytes;
  EXPECT_EQ(joined, changes);
  ASSERT_EQ(got.notes.size(), 1u);
  EXPECT_EQ(got.notes[0].count, 17u);
  ASSERT_EQ(got.ends.size(), 1u);
  EXPECT_EQ(got.ends[0].droppedEvents, 17u);
  EXPECT_EQ(got.ends[0].collectorPeakRssBytes, 5u << 20);
  EXPECT_EQ(got.ends[0].blockMapPeakBlocks, 200u);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Every record a visitor is shown, as one line of text each.
struct Lines : analyze::DumpVisitor {
  std::vector<std::string> lines;
  void onHeader(const analyze::Header& h) override { lines.push_back("header " + h.exe); }
  void onSite(const analyze::Site& s) override {
    std::string line = "site " + std::to_string(s.id);
    for (const uint64_t f : s.frames) line += " " + std::to_string(f);
    lines.push_back(line);
  }
  void onSnapshot(const analyze::Snapshot& s) override {
    lines.push_back("snapshot " + std::to_string(s.timeNs) + " " +
                    std::to_string(s.changes.size()));
  }
  void onEnd(const analyze::End& e) override { lines.push_back("end " + std::to_string(e.timeNs)); }
};

std::vector<uint8_t> fileBytes(const std::string& path) {
  std::vector<uint8_t> bytes;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    uint8_t buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
  }
  return bytes;
}

TEST(PreloadDump, ACompressedDumpCutAnywhereReadsAsAPrefixAndLosesNothingFlushed) {
  // Given a dump flushed after each of six intervals (a site and a snapshot each),
  const std::string path = tempDir() + "/cut.sb";
  DumpWriter& w = freshWriter();
  ASSERT_TRUE(w.create(path.c_str()));
  ASSERT_TRUE(w.append(format::HeaderView{.pid = 1, .intervalMs = 100, .exe = "/bin/x"}));
  ASSERT_TRUE(w.publish());
  std::vector<size_t> flushedAt;  // file size after each flush
  std::vector<size_t> linesAt;    // records whole by then
  uint32_t nodes = 0;
  for (uint32_t i = 0; i < 6; ++i) {
    const uint64_t frames[] = {0x400000 + i * 64, 0x500000 + i * 8};  // a new root and child
    ASSERT_TRUE(w.append(format::SiteView{.id = i, .nodesBefore = nodes, .newFrames = frames}));
    nodes += 2;
    const format::SiteChange change{.siteId = i, .liveBytes = 100 * i, .allocsDelta = 1};
    ASSERT_TRUE(w.append(format::SnapshotView{.timeNs = 1000 * (i + 1), .changes = {&change, 1}}));
    ASSERT_TRUE(w.flush(i == 5));
    flushedAt.push_back(fileBytes(path).size());
    linesAt.push_back(1 + 2 * (i + 1));
  }
  const std::vector<uint8_t> whole = fileBytes(path);
  Lines all;
  ASSERT_TRUE(analyze::readDumpBytes(whole.data(), whole.size(), all).chunked);
  ASSERT_EQ(all.lines.size(), 13u);
  // when it is cut short anywhere, what is read is a prefix of the whole and the cut is
  // reported, and a cut where a flush ended loses nothing flushed before it.
  for (size_t cut = format::kPreambleBytes; cut <= whole.size(); ++cut) {
    Lines got;
    try {
      const auto s = analyze::readDumpBytes(whole.data(), cut, got);
      ASSERT_LE(got.lines.size(), all.lines.size());
      for (size_t i = 0; i < got.lines.size(); ++i) ASSERT_EQ(got.lines[i], all.lines[i]) << cut;
      for (size_t f = 0; f < flushedAt.size(); ++f) {
        if (cut != flushedAt[f]) continue;
        EXPECT_FALSE(s.truncated) << "cut at flush " << f;
        EXPECT_EQ(got.lines.size(), linesAt[f]) << "cut at flush " << f;
      }
      if (cut < whole.size() && !s.truncated) {
        EXPECT_TRUE(std::count(flushedAt.begin(), flushedAt.end(), cut) == 1 ||
                    got.lines.size() == 1)
            << "a cut at " << cut << " went unreported";
      }
    } catch (const analyze::DumpError& e) {
      // Only a file without one whole record (nothing to analyse) may be refused.
      EXPECT_TRUE(got.lines.empty()) << "cut at " << cut << ": " << e.what();
    }
  }
}

TEST(PreloadDump, EveryFlippedByteOfACompressedDumpIsDetectedOrHarmless) {
  const std::string path = tempDir() + "/flip.sb";
  DumpWriter& w = freshWriter();
  ASSERT_TRUE(w.create(path.c_str()));
  ASSERT_TRUE(w.append(format::HeaderView{.pid = 1, .intervalMs = 100, .exe = "/bin/x"}));
  ASSERT_TRUE(w.publish());
  const uint64_t frame[] = {0x400000};
  ASSERT_TRUE(w.append(format::SiteView{.id = 0, .newFrames = frame}));
  ASSERT_TRUE(w.append(format::End{.timeNs = 5}));
  ASSERT_TRUE(w.flush(true));
  const std::vector<uint8_t> whole = fileBytes(path);
  for (size_t i = 0; i < whole.size(); ++i) {
    std::vector<uint8_t> bad = whole;
    bad[i] ^= 0x41;
    Lines got;
    try {
      const auto s = analyze::readDumpBytes(bad.data(), bad.size(), got);
      EXPECT_TRUE(s.truncated) << "flip at " << i << " went unnoticed";
    } catch (const analyze::DumpError&) {
    }
  }
}

TEST(PreloadDump, ReopensAClosedDescriptorButNeverWritesIntoAnotherFile) {
  const std::string dir = tempDir();
  const std::string path = dir + "/reopen.sb";
  DumpWriter& w = freshWriter();
  ASSERT_TRUE(w.create(path.c_str()));
  ASSERT_TRUE(w.append(format::HeaderView{}));
  ASSERT_TRUE(w.publish());
  EXPECT_GE(w.fd(), DumpWriter::kHighFd);
  close(w.fd());  // the program closed every descriptor
  ASSERT_TRUE(w.append(format::NoteView{.count = 1, .text = "after close"}));
  ASSERT_TRUE(w.flush());
  Collected got;
  EXPECT_NO_THROW(analyze::readDump(path, got));
  ASSERT_EQ(got.notes.size(), 1u);

  // The path now names a different file: writing must stop rather than touch it.
  close(w.fd());
  ASSERT_EQ(rename(path.c_str(), (dir + "/moved.sb").c_str()), 0);
  FILE* other = std::fopen(path.c_str(), "w");
  std::fclose(other);
  ASSERT_TRUE(w.append(format::NoteView{.count = 2, .text = "lost"}));
  EXPECT_FALSE(w.flush());
  EXPECT_NE(w.error(), 0);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
}

TEST(PreloadDumpPath, ExpandsPidAndExecutableAndAnchorsRelativePatterns) {
  char out[256];
  ASSERT_TRUE(preload::expandPattern("slowburn.%e.%p.sb", 123, "server", out, sizeof(out)));
  EXPECT_STREQ(out, "slowburn.server.123.sb");
  ASSERT_TRUE(preload::expandPattern("a%%b%x", 1, "e", out, sizeof(out)));
  EXPECT_STREQ(out, "a%b%x");
  EXPECT_FALSE(preload::expandPattern("%e%e%e", 1, "abcdefgh", out, 10));
  ASSERT_TRUE(preload::absolutePattern("d/x.sb", "/work", out, sizeof(out)));
  EXPECT_STREQ(out, "/work/d/x.sb");
  ASSERT_TRUE(preload::absolutePattern("/abs.sb", "/work", out, sizeof(out)));
  EXPECT_STREQ(out, "/abs.sb");
  ASSERT_TRUE(preload::absolutePattern("x.sb", "/", out, sizeof(out)));
  EXPECT_STREQ(out, "/x.sb");
  EXPECT_STREQ(preload::baseName("/usr/bin/sort"), "sort");
}

TEST(PreloadDumpPath, TakenNamesGetANumericSuffixNeverAnOverwrite) {
  const std::string dir = tempDir();
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    char path[512];
    std::snprintf(path, sizeof(path), "%s/same.sb", dir.c_str());
    const int fd = preload::openUnnamedBeside(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(preload::linkDumpFile(fd, path, sizeof(path)), 0);
    close(fd);
    names.push_back(path);
  }
  EXPECT_EQ(names[0], dir + "/same.sb");
  EXPECT_EQ(names[1], dir + "/same.1.sb");
  EXPECT_EQ(names[2], dir + "/same.2.sb");
  char plain[512];
  std::snprintf(plain, sizeof(plain), "%s/same.sb", dir.c_str());
  const int fd = preload::createDumpFile(plain, sizeof(plain));
  ASSERT_GE(fd, 0);
  close(fd);
  EXPECT_EQ(std::string(plain), dir + "/same.3.sb");
}

}  // namespace
