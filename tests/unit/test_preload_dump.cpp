// The preload's dump writer, read back by the analyzer's validating reader; dump naming.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dump/dump_path.hpp"
#include "dump/dump_records.hpp"
#include "dump/dump_writer.hpp"
#include "read/dump_reader.hpp"

namespace {

using namespace slowburn;
using preload::DumpWriter;
using preload::SiteChange;

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

TEST(PreloadDump, EveryRecordKindRoundTripsThroughTheReader) {
  const std::string path = tempDir() + "/round.sb";
  DumpWriter& w = freshWriter();
  ASSERT_TRUE(w.create(path.c_str()));
  preload::HeaderFacts facts;
  facts.pid = 4242;
  facts.ppid = 1;
  facts.startRealtimeNs = 1700000000000000000ull;
  facts.intervalMs = 100;
  facts.sampleBytes = 65536;
  facts.stackDepth = 32;
  facts.exe = "/usr/bin/thing";
  ASSERT_TRUE(preload::writeHeader(w, facts));
  ASSERT_TRUE(w.publish());
  const uint8_t buildId[] = {0xde, 0xad, 0xbe, 0xef};
  preload::ModuleFacts module{0x555500000000, 0x3000, buildId, 4, "/usr/bin/thing", 14};
  ASSERT_TRUE(preload::writeModule(w, 0, module));

  // Frames that go down as well as up: the zigzag deltas must survive.
  const uint64_t allocFrames[] = {0x555500001234, 0x555500000100, 0x7fff12345678};
  const uint64_t readFrame[] = {0x555500002000};
  const auto alloc = format::SiteKind::Alloc;
  const auto none = format::SyscallOp::None;
  ASSERT_TRUE(preload::writeSite(w, 0, alloc, none, allocFrames, 3));
  ASSERT_TRUE(
      preload::writeSite(w, 1, format::SiteKind::Syscall, format::SyscallOp::Read, readFrame, 1));
  // Enough extra sites that one snapshot must be split across records.
  const size_t manySites = preload::kChangesPerRecord * 2 + 7;
  for (size_t i = 2; i < manySites; ++i)
    ASSERT_TRUE(preload::writeSite(w, static_cast<uint32_t>(i), alloc, none, allocFrames, 3));

  std::vector<SiteChange> changes;
  changes.push_back({0, format::SiteKind::Alloc, 30003, 3, 5, 2, 50005});
  changes.push_back({1, format::SiteKind::Syscall, 10, 3330, 0, 0, 0});
  for (size_t i = 2; i < manySites; ++i) {
    changes.push_back({static_cast<uint32_t>(i), format::SiteKind::Alloc, i * 10, i, i, 0, 0});
  }
  ASSERT_TRUE(preload::writeSnapshot(w, 1000, 8 << 20, 60006, changes.data(), 2));
  ASSERT_TRUE(preload::writeSnapshot(w, 2000, 9 << 20, 70007, changes.data(), changes.size()));
  ASSERT_TRUE(preload::writeNote(w, format::NoteKind::DroppedEvents, 17, "ring full"));
  ASSERT_TRUE(preload::writeEnd(w, 3000, 17));
  ASSERT_TRUE(w.flush());

  Collected got;
  const auto summary = analyze::readDump(path, got);
  EXPECT_TRUE(summary.sawEnd);
  EXPECT_FALSE(summary.truncated);
  EXPECT_EQ(got.header.pid, 4242u);
  EXPECT_EQ(got.header.sampleBytes, 65536u);
  EXPECT_EQ(got.header.exe, "/usr/bin/thing");
  ASSERT_EQ(got.modules.size(), 1u);
  EXPECT_EQ(got.modules[0].loadAddress, 0x555500000000u);
  EXPECT_EQ(got.modules[0].buildId, std::string("\xde\xad\xbe\xef", 4));
  ASSERT_EQ(got.sites.size(), manySites);
  EXPECT_EQ(got.sites[0].frames, std::vector<uint64_t>(allocFrames, allocFrames + 3));
  EXPECT_EQ(got.sites[1].kind, format::SiteKind::Syscall);
  EXPECT_EQ(got.sites[1].op, format::SyscallOp::Read);
  // One point of 2 changes, then one point split over three records with one time.
  ASSERT_EQ(got.snapshots.size(), 4u);
  EXPECT_EQ(got.snapshots[0].changes.size(), 2u);
  EXPECT_EQ(got.snapshots[0].changes[0].liveBytes, 30003u);
  EXPECT_EQ(got.snapshots[0].changes[1].bytesDelta, 3330u);
  EXPECT_EQ(got.snapshots[0].changes[0].peakBytes, 50005u);
  EXPECT_EQ(got.snapshots[0].peakLiveBytes, 60006u);
  size_t total = 0;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(got.snapshots[i].timeNs, 2000u);
    EXPECT_EQ(got.snapshots[i].rssBytes, 9u << 20);
    total += got.snapshots[i].changes.size();
  }
  EXPECT_EQ(total, manySites);
  EXPECT_EQ(got.snapshots[3].changes.back().siteId, manySites - 1);
  EXPECT_EQ(got.snapshots[3].changes.back().liveBytes, (manySites - 1) * 10);
  // A peak below the live bytes is never written: the reader would refuse it.
  EXPECT_EQ(got.snapshots[3].changes.back().peakBytes, (manySites - 1) * 10);
  ASSERT_EQ(got.notes.size(), 1u);
  EXPECT_EQ(got.notes[0].count, 17u);
  ASSERT_EQ(got.ends.size(), 1u);
  EXPECT_EQ(got.ends[0].droppedEvents, 17u);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(PreloadDump, ReopensAClosedDescriptorButNeverWritesIntoAnotherFile) {
  const std::string dir = tempDir();
  const std::string path = dir + "/reopen.sb";
  DumpWriter& w = freshWriter();
  ASSERT_TRUE(w.create(path.c_str()));
  ASSERT_TRUE(preload::writeHeader(w, preload::HeaderFacts{}));
  ASSERT_TRUE(w.publish());
  EXPECT_GE(w.fd(), DumpWriter::kHighFd);
  close(w.fd());  // the program closed every descriptor
  ASSERT_TRUE(preload::writeNote(w, format::NoteKind::Info, 1, "after close"));
  ASSERT_TRUE(w.flush());
  Collected got;
  EXPECT_NO_THROW(analyze::readDump(path, got));
  ASSERT_EQ(got.notes.size(), 1u);

  // The path now names a different file: writing must stop rather than touch it.
  close(w.fd());
  ASSERT_EQ(rename(path.c_str(), (dir + "/moved.sb").c_str()), 0);
  FILE* other = std::fopen(path.c_str(), "w");
  std::fclose(other);
  ASSERT_TRUE(preload::writeNote(w, format::NoteKind::Info, 2, "lost"));
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
