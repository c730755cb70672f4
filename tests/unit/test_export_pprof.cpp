// `slowburn export --format pprof`, read back with libprotobuf: the tables refer to each
// other, and each sample carries the live state and growth the other outputs show.

#include <gtest/gtest.h>
#include <profile.pb.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "output/export_collapsed.hpp"
#include "output/export_pprof.hpp"
#include "rank/analysis.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

namespace pp = perftools::profiles;
using format::SiteKind;
using format::SyscallOp;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;

std::unique_ptr<const Analysis> analyse(const SyntheticDump& dump, const std::string& name) {
  const std::string path = ::testing::TempDir() + name;
  testing::writeFile(path, dump.bytes());
  auto analysis = analyzeDump(path);
  std::remove(path.c_str());
  return analysis;
}

pp::Profile gunzipProfile(const std::string& gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 32), Z_OK);
  std::string raw(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(raw.data());
  z.avail_out = static_cast<uInt>(raw.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END) << "a whole gzip stream";
  raw.resize(z.total_out);
  inflateEnd(&z);
  pp::Profile p;
  EXPECT_TRUE(p.ParseFromString(raw));
  return p;
}

// A leak reached through a recursive caller (0x401200 twice), a cache that fills and stops,
// and a read site; the process exits cleanly and frees the leak in its teardown.
SyntheticDump leakCacheAndRead() {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app", "\x12\xab");
  d.site(0, SiteKind::Alloc, {0x401136, 0x401200, 0x401200, 0x401300});
  d.site(1, SiteKind::Alloc, {0x401500});
  d.site(2, SiteKind::Syscall, {0x401150}, SyscallOp::Read);
  for (uint64_t i = 1; i <= 60; ++i) {
    const uint64_t cache = i < 12 ? i * 10000 : 120000;
    d.snapshot(i * 100 * kMs, 1 << 20, {{0, i * 4096, i, i, 0}, {1, cache, 1, 1, 1}},
               {{2, 4, 4096}});
  }
  d.teardown(6000 * kMs);  // main returned: the exit then frees everything
  d.snapshot(6050 * kMs, 1 << 20, {{0, 0, 0, 60, 60}, {1, 0, 0, 1, 2}}, {});
  d.end(6060 * kMs, 0);
  return d;
}

std::string str(const pp::Profile& p, int64_t index) {
  EXPECT_GE(index, 0);
  EXPECT_LT(index, p.string_table_size());
  return p.string_table(static_cast<int>(index));
}

TEST(ExportPprof, TablesReferToEachOther) {
  auto analysis = analyse(leakCacheAndRead(), "pprof_tables.sb");
  const pp::Profile p = gunzipProfile(exportPprof(*analysis));
  ASSERT_GT(p.string_table_size(), 0);
  EXPECT_EQ(p.string_table(0), "");
  std::set<uint64_t> mappings, locations, functions;
  for (const pp::Mapping& m : p.mapping()) EXPECT_TRUE(mappings.insert(m.id()).second);
  for (const pp::Function& f : p.function()) EXPECT_TRUE(functions.insert(f.id()).second);
  for (const pp::Location& l : p.location()) {
    EXPECT_TRUE(locations.insert(l.id()).second);
    EXPECT_TRUE(l.mapping_id() == 0 || mappings.count(l.mapping_id())) << l.mapping_id();
    EXPECT_GT(l.line_size(), 0);
    for (const pp::Line& line : l.line()) EXPECT_TRUE(functions.count(line.function_id()));
  }
  for (const pp::Sample& s : p.sample()) {
    EXPECT_EQ(s.value_size(), p.sample_type_size());
    for (const uint64_t id : s.location_id()) EXPECT_TRUE(locations.count(id)) << id;
  }
  ASSERT_EQ(p.mapping_size(), 1);
  EXPECT_EQ(str(p, p.mapping(0).filename()), "/nonexistent/app");
  EXPECT_EQ(str(p, p.mapping(0).build_id()), "12ab");
  EXPECT_EQ(p.mapping(0).memory_start(), 0x400000u);
  EXPECT_TRUE(p.mapping(0).has_functions());
}

TEST(ExportPprof, SampleTypesPeriodAndDefault) {
  auto analysis = analyse(leakCacheAndRead(), "pprof_types.sb");
  const pp::Profile p = gunzipProfile(exportPprof(*analysis));
  ASSERT_EQ(p.sample_type_size(), 3);
  EXPECT_EQ(str(p, p.sample_type(0).type()), "inuse_objects");
  EXPECT_EQ(str(p, p.sample_type(0).unit()), "count");
  EXPECT_EQ(str(p, p.sample_type(1).type()), "inuse_space");
  EXPECT_EQ(str(p, p.sample_type(1).unit()), "bytes");
  EXPECT_EQ(str(p, p.sample_type(2).type()), "growth_per_hour");
  EXPECT_EQ(str(p, p.sample_type(2).unit()), "bytes");
  EXPECT_EQ(str(p, p.default_sample_type()), "inuse_space");
  EXPECT_EQ(str(p, p.period_type().type()), "space");
  EXPECT_EQ(str(p, p.period_type().unit()), "bytes");
  EXPECT_EQ(p.period(), 1);
  EXPECT_EQ(p.time_nanos(), 1'700'000'000'000'000'000ll);
  EXPECT_EQ(p.duration_nanos(), 6060 * static_cast<int64_t>(kMs));
}

TEST(ExportPprof, LiveStateBeforeTheTeardownAndGrowthOfTheGrowingLine) {
  // given a clean exit that frees everything
  auto analysis = analyse(leakCacheAndRead(), "pprof_values.sb");
  const pp::Profile p = gunzipProfile(exportPprof(*analysis));
  // then there is one sample per alloc site, none for the read site
  ASSERT_EQ(p.sample_size(), 2);
  const pp::Sample& leak = p.sample(0);
  const pp::Sample& cache = p.sample(1);
  // the leak holds what it held before the teardown, as the collapsed export says
  const std::string folded = exportCollapsed(*analysis);
  EXPECT_NE(folded.find(" " + std::to_string(leak.value(1)) + "\n"), std::string::npos)
      << folded << leak.value(1);
  EXPECT_EQ(leak.value(1), 60 * 4096);
  EXPECT_EQ(leak.value(0), 60);  // at its mean block size
  EXPECT_EQ(cache.value(1), 120000);
  // its growth is the report's, per hour; the cache has none
  const RankedSite& top = analysis->sites().front();
  ASSERT_TRUE(top.growthBytesPerSec.has_value());
  EXPECT_EQ(leak.value(2), std::llround(*top.growthBytesPerSec * 3600));
  EXPECT_EQ(cache.value(2), 0);
  EXPECT_EQ(str(p, leak.label(0).key()), "class");
  EXPECT_EQ(str(p, leak.label(0).str()), "GROWING");
}

TEST(ExportPprof, StackIsLeafFirstWithARecursiveCallerKeptTwice) {
  auto analysis = analyse(leakCacheAndRead(), "pprof_stack.sb");
  const pp::Profile p = gunzipProfile(exportPprof(*analysis));
  const pp::Sample& leak = p.sample(0);
  ASSERT_EQ(leak.location_id_size(), 4);
  const auto addressOf = [&](uint64_t id) {
    return p.location(static_cast<int>(id - 1)).address();
  };
  EXPECT_EQ(addressOf(leak.location_id(0)), 0x401136u);
  EXPECT_EQ(leak.location_id(1), leak.location_id(2));
  EXPECT_EQ(addressOf(leak.location_id(1)), 0x401200u);
  EXPECT_EQ(addressOf(leak.location_id(3)), 0x401300u);
  const pp::Location& leaf = p.location(static_cast<int>(leak.location_id(0) - 1));
  ASSERT_EQ(leaf.line_size(), 1);
  EXPECT_EQ(str(p, p.function(static_cast<int>(leaf.line(0).function_id() - 1)).name()),
            "app+0x1136");
}

TEST(ExportPprof, AGrowingLinesRateIsSplitOverItsStacksByTheirClimb) {
  // given one program line reached from two callers, one leaking three times as fast
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  d.site(0, SiteKind::Alloc, {0x401136, 0x401200});
  d.site(1, SiteKind::Alloc, {0x401136, 0x401300});
  for (uint64_t i = 1; i <= 60; ++i)
    d.snapshot(i * 100 * kMs, 1 << 20, {{0, i * 3000, i, i, 0}, {1, i * 1000, i, i, 0}});
  auto analysis = analyse(d, "pprof_split.sb");
  ASSERT_EQ(analysis->sites().size(), 1u) << "one line";
  const pp::Profile p = gunzipProfile(exportPprof(*analysis));
  ASSERT_EQ(p.sample_size(), 2);
  const double total = static_cast<double>(p.sample(0).value(2) + p.sample(1).value(2));
  EXPECT_NEAR(total, *analysis->sites().front().growthBytesPerSec * 3600, 1.0);
  EXPECT_NEAR(static_cast<double>(p.sample(0).value(2)) / total, 0.75, 0.01);
  // no teardown: the live state is the end's
  EXPECT_EQ(p.sample(0).value(1), 180000);
  EXPECT_EQ(p.sample(0).value(0), 60);
}

}  // namespace
}  // namespace slowburn::analyze
