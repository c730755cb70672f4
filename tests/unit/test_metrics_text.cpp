// `slowburn watch`'s Prometheus exposition: names, labels, bounded cardinality, escaping.

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "output/metrics_server.hpp"
#include "output/metrics_text.hpp"
#include "output/metrics_textfile.hpp"
#include "rank/analysis.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using format::SyscallOp;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;

// A leak (site 0), a cache that fills and stops (site 1), a flat site (site 2) and a read
// site (site 3), in a module that does not exist: frames resolve to module+offset.
std::unique_ptr<const Analysis> fourShapes(const std::string& name) {
  SyntheticDump d;
  d.header(4242, "/srv/app \"x\"");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  d.site(0, SiteKind::Alloc, {0x401136});
  d.site(1, SiteKind::Alloc, {0x401500});
  d.site(2, SiteKind::Alloc, {0x401700});
  d.site(3, SiteKind::Syscall, {0x401150}, SyscallOp::Read);
  for (uint64_t i = 1; i <= 60; ++i) {
    const uint64_t cache = i < 12 ? i * 10000 : 120000;
    d.snapshot(i * 100 * kMs, 3 << 20,
               {{0, i * 4096, i, 1, 0}, {1, cache, 1, 1, 1}, {2, 500, 1, 1, 0}}, {{3, 4, 4096}});
  }
  const std::string path = ::testing::TempDir() + name;
  testing::writeFile(path, d.bytes());
  auto analysis = analyzeDump(path);
  std::remove(path.c_str());
  return analysis;
}

// The line of one series, "" when it is not there.
std::string seriesLine(const std::string& text, const std::string& prefix) {
  const size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST(MetricsText, TopLocationsAndOneOtherSeriesWithProcessLabels) {
  // given a leak, a cache and a flat site
  auto analysis = fourShapes("metrics_top.sb");
  MetricsSettings settings;
  settings.top = 2;
  // when the top two have series of their own
  const std::string text = metricsText(*analysis, settings, WatchCounters{60, 7});
  // then the leak is first, labelled with its line, and the rest is "other"
  const std::string process = "pid=\"4242\",exe=\"/srv/app \\\"x\\\"\"";
  EXPECT_EQ(seriesLine(text, "slowburn_location_live_bytes{"),
            "slowburn_location_live_bytes{" + process +
                ",function=\"app+0x1136\",location=\"app+0x1136\"} 245760")
      << text;
  EXPECT_NE(text.find("slowburn_location_live_bytes{" + process +
                      ",function=\"other\",location=\"other\"} 500\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("slowburn_location_growing{" + process +
                      ",function=\"app+0x1136\",location=\"app+0x1136\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("slowburn_location_growing{" + process +
                      ",function=\"app+0x1500\",location=\"app+0x1500\"} 0\n"),
            std::string::npos)
      << text;
  // three series per location metric: two locations and "other"; no syscall location
  size_t live = 0;
  for (size_t at = text.find("\nslowburn_location_live_bytes{"); at != std::string::npos;
       at = text.find("\nslowburn_location_live_bytes{", at + 1))
    ++live;
  EXPECT_EQ(live, 3u);
  EXPECT_EQ(text.find("0x1150"), std::string::npos) << text;
  EXPECT_NE(text.find("slowburn_process_resident_memory_bytes{" + process + "} 3145728\n"),
            std::string::npos);
  EXPECT_NE(text.find("slowburn_process_tracked_heap_bytes{" + process + "} 366260\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE slowburn_dump_snapshots_total counter\n"
                      "slowburn_dump_snapshots_total{" +
                      process + "} 60\n"),
            std::string::npos);
  EXPECT_NE(text.find("slowburn_dump_dropped_events_total{" + process + "} 7\n"),
            std::string::npos);
}

TEST(MetricsText, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
  auto analysis = fourShapes("metrics_families.sb");
  const std::string text = metricsText(*analysis, MetricsSettings{}, WatchCounters{});
  std::string family;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text ends with a newline";
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_EQ(line.substr(7, family.size() + 1), family + " ") << line;
      const std::string type = line.substr(8 + family.size());
      EXPECT_EQ(type == "counter",
                family.size() > 6 && family.compare(family.size() - 6, 6, "_total") == 0)
          << line;
      continue;
    }
    EXPECT_EQ(line.rfind(family + "{", 0), 0u) << "a sample outside its family: " << line;
    EXPECT_EQ(line.rfind("slowburn_", 0), 0u) << line;
  }
}

TEST(MetricsText, TheGrowingGaugeFollowsTheWatchsRule) {
  auto analysis = fourShapes("metrics_rule.sb");
  MetricsSettings settings;
  settings.growing = [](const RankedSite&) { return false; };  // e.g. under the budget
  const std::string text = metricsText(*analysis, settings, WatchCounters{});
  EXPECT_EQ(text.find("slowburn_location_growing{pid=\"4242\",exe=\"/srv/app \\\"x\\\"\","
                      "function=\"app+0x1136\",location=\"app+0x1136\"} 1"),
            std::string::npos);
  // the growth itself is still shown
  EXPECT_EQ(seriesLine(text, "slowburn_location_growth_bytes_per_second{").find("} 0"),
            std::string::npos)
      << text;
}

TEST(MetricsText, LabelValuesAreEscapedSafeAndBounded) {
  EXPECT_EQ(metricsLabelValue("a\"b\\c\nd\x1b[31m"), "a\\\"b\\\\c?d?[31m");
  EXPECT_EQ(metricsLabelValue("bad \xff utf8"), "bad ? utf8");
  // "é" is two bytes: a cut never splits it
  EXPECT_EQ(metricsLabelValue("abcé", 4), "abc");
  EXPECT_EQ(metricsLabelValue("abcé", 5), "abcé");
}

TEST(MetricsTextfile, ReplacesItsFileWholeAndRemovesItAtTheEnd) {
  const std::string dir = ::testing::TempDir();
  std::string path;
  {
    MetricsTextfile file(dir, "slowburn.my app.42");
    path = file.path();
    EXPECT_EQ(path, dir + (dir.back() == '/' ? "" : "/") + "slowburn.my_app.42.prom");
    file.write("a 1\n");
    file.write("b 2\n");
    std::FILE* f = std::fopen(path.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char buf[16] = {};
    EXPECT_EQ(std::fread(buf, 1, sizeof buf, f), 4u);
    std::fclose(f);
    EXPECT_EQ(std::string(buf), "b 2\n");
  }
  EXPECT_EQ(std::fopen(path.c_str(), "r"), nullptr);
  EXPECT_THROW(MetricsTextfile("/nonexistent/dir", "x"), std::runtime_error);
}

TEST(MetricsServer, ListenAddressesParseOrSayWhatIsWrong) {
  EXPECT_EQ(parseListenAddress("127.0.0.1:9464").host, "127.0.0.1");
  EXPECT_EQ(parseListenAddress("127.0.0.1:9464").port, 9464);
  EXPECT_EQ(parseListenAddress("[::1]:0").host, "::1");
  EXPECT_EQ(parseListenAddress(":9100").host, "0.0.0.0");
  EXPECT_THROW(parseListenAddress("9464"), std::invalid_argument);
  EXPECT_THROW(parseListenAddress("localhost:http"), std::invalid_argument);
  EXPECT_THROW(parseListenAddress("localhost:70000"), std::invalid_argument);
  EXPECT_THROW(parseListenAddress("localhost:"), std::invalid_argument);
}

}  // namespace
}  // namespace slowburn::analyze
