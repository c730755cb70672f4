#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "output/export_collapsed.hpp"
#include "output/export_csv.hpp"
#include "output/export_json.hpp"
#include "output/frame_text.hpp"
#include "output/json_writer.hpp"
#include "output/report_text.hpp"
#include "output/terminal.hpp"
#include "rank/analysis.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using format::SyscallOp;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;

// A leak (site 0), a cache that fills and stops (site 1) and a read site (site 2), in a
// module that does not exist on disk: frames resolve to module+offset.
SyntheticDump threeShapes() {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  d.site(0, SiteKind::Alloc, {0x401136, 0x401200});
  d.site(1, SiteKind::Alloc, {0x401500});
  d.site(2, SiteKind::Syscall, {0x401150}, SyscallOp::Read);
  for (uint64_t i = 1; i <= 60; ++i) {
    const uint64_t cache = i < 12 ? i * 10000 : 120000;
    d.snapshot(i * 100 * kMs, 1 << 20, {{0, i * 4096, i, 1, 0}, {1, cache, 1, 1, 1}},
               {{2, 4, 4096}});
  }
  d.end(6050 * kMs, 3);
  return d;
}

std::unique_ptr<const Analysis> analyse(const SyntheticDump& dump, const std::string& name) {
  const std::string path = ::testing::TempDir() + name;
  testing::writeFile(path, dump.bytes());
  auto analysis = analyzeDump(path);
  std::remove(path.c_str());
  return analysis;
}

TEST(ExportJson, EscapesQuotesControlsAndBadUtf8) {
  EXPECT_EQ(jsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(jsonEscape("\n\t\x01"), "\\n\\t\\u0001");
  EXPECT_EQ(jsonEscape("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(jsonEscape("bad\xff\xc3"), "bad\\ufffd\\ufffd");
  EXPECT_EQ(jsonEscape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // a UTF-16 surrogate
  // C1 controls and DEL are escaped too: the document is safe on a terminal.
  EXPECT_EQ(jsonEscape("\xc2\x9b\xc2\x85\x7f\xc2\xa0"), "\\u009b\\u0085\\u007f\xc2\xa0");
}

TEST(ExportJson, WriterPlacesCommasAndNullsForNonFiniteNumbers) {
  std::string out;
  JsonWriter w(out);
  w.setCompact(true);
  w.beginObject();
  w.key("a");
  w.value(uint64_t{1});
  w.key("b");
  w.beginArray();
  w.value(1.5);
  w.value(2.0);
  w.value(0.0 / 0.0);
  w.endArray();
  w.key("c");
  w.null();
  w.key("d");
  w.value(false);
  w.endObject();
  EXPECT_EQ(out, "{\"a\": 1, \"b\": [1.5, 2.0, null], \"c\": null, \"d\": false}\n");
}

TEST(ExportJson, DocumentFollowsTheContract) {
  auto analysis = analyse(threeShapes(), "json.sb");
  const std::string json = exportJson(*analysis);
  for (const char* field :
       {"\"format\": \"slowburn-report\"", "\"version\": 1", "\"pid\": 4242",
        "\"exe\": \"/srv/app\"", "\"duration_s\": 6.05", "\"snapshots\": 60",
        "\"truncated\": false", "\"dropped_events\": 3", "\"live_bytes_end\": 365760",
        "\"allocs\": 120", "\"frees\": 60", "\"kind\": \"syscall\"", "\"op\": \"read\"",
        "\"retained_bytes_per_syscall\": null", "\"address\": \"0x401136\"",
        "\"module\": \"/nonexistent/app\""}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << "\n" << json;
  }
  // Sites in rank order: the leak first.
  const size_t rank1 = json.find("\"rank\": 1,");
  ASSERT_NE(rank1, std::string::npos);
  EXPECT_LT(json.find("\"class\": \"GROWING\""), json.find("\"rank\": 2,"));
  EXPECT_NE(json.find("\"id\": 0", rank1), std::string::npos);
}

TEST(ExportJson, TotalsAgreeWithTheSites) {
  auto analysis = analyse(threeShapes(), "totals.sb");
  uint64_t live = 0;
  for (const RankedSite& r : analysis->sites()) live += analysis->site(r).liveBytes;
  EXPECT_EQ(live, analysis->profile().liveBytesEnd);
  EXPECT_EQ(analysis->sites().front().verdict.cls, SiteClass::Growing);
  EXPECT_EQ(analysis->site(analysis->sites().front()).id, 0u);
}

TEST(ExportCsv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csvField("plain"), "plain");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csvField("cr\r\nlf"), "\"cr\r\nlf\"");
}

TEST(ExportCsv, ControlsTheRfcHasNoPlaceForBecomeQuestionMarks) {
  EXPECT_EQ(csvField("a\x1b[31mb\x07"), "a?[31mb?");
  EXPECT_EQ(csvField("csi\xc2\x9b"
                     "2J del\x7f tab\t"),
            "csi?2J del? tab?");
  EXPECT_EQ(csvField("bad\xff\xc3 caf\xc3\xa9"), "bad?? caf\xc3\xa9");
  EXPECT_EQ(csvField("\x1b,\"\r"), "\"?,\"\"\r\"");
}

TEST(ExportCsv, OneRowPerSiteInRankOrder) {
  auto analysis = analyse(threeShapes(), "csv.sb");
  const std::string csv = exportCsv(*analysis);
  size_t rows = 0;
  for (size_t pos = 0; (pos = csv.find("\r\n", pos)) != std::string::npos; pos += 2) ++rows;
  EXPECT_EQ(rows, 1 + analysis->sites().size());
  EXPECT_EQ(csv.rfind("rank,kind,op,class,", 0), 0u);
  EXPECT_NE(csv.find("\r\n1,alloc,,GROWING,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",syscall,read,"), std::string::npos) << csv;
}

TEST(ExportJson, ADumpWithoutEndSaysSoInItsNotes) {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.site(0, SiteKind::Alloc, {0x401136});
  for (uint64_t i = 1; i <= 5; ++i) d.snapshot(i * 100 * kMs, 1 << 20, {{0, i * 64, i, i, 0}});
  auto killed = analyse(d, "killed.sb");
  const std::string json = exportJson(*killed);
  EXPECT_NE(json.find(std::string("\"") + kNoEndNote + "\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"clean_exit\": false"), std::string::npos) << json;
  auto clean = analyse(threeShapes(), "clean.sb");
  EXPECT_EQ(exportJson(*clean).find(kNoEndNote), std::string::npos);
}

TEST(Outputs, StreamManySitesInPiecesThatMakeTheSameText) {
  // given 20,000 sites of five frames each
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  std::vector<testing::AllocChange> changes;
  for (uint32_t id = 0; id < 20'000; ++id) {
    d.site(id, SiteKind::Alloc, {0x401000 + id, 0x402000, 0x403000, 0x404000, 0x405000});
    changes.push_back({id, 64, 1, 1, 0});
  }
  d.snapshot(100 * kMs, 1 << 20, changes);
  d.end(200 * kMs, 0);
  auto analysis = analyse(d, "many.sb");
  ReportSettings all;
  all.all = true;
  const std::vector<std::pair<std::string, std::function<void(const TextSink&)>>> outputs = {
      {"json", [&](const TextSink& sink) { exportJson(*analysis, sink); }},
      {"csv", [&](const TextSink& sink) { exportCsv(*analysis, sink); }},
      {"collapsed",
       [&](const TextSink& sink) { exportCollapsed(*analysis, CollapsedValue::LiveBytes, sink); }},
      {"report", [&](const TextSink& sink) { reportText(*analysis, all, sink); }},
  };
  for (const auto& [name, write] : outputs) {
    // when each output is written
    std::vector<std::string> pieces;
    write([&](std::string_view piece) { pieces.emplace_back(piece); });
    // then it comes in pieces of about a MiB that make the whole text
    ASSERT_GE(pieces.size(), 2u) << name;
    std::string joined;
    for (const std::string& piece : pieces) {
      EXPECT_LT(piece.size(), size_t{2} << 20) << name;
      joined += piece;
    }
    EXPECT_EQ(joined.back(), '\n') << name;
    EXPECT_EQ(joined, collectPieces(write)) << name;
  }
  EXPECT_EQ(exportJson(*analysis).size(), collectPieces(outputs[0].second).size());
  // Writing reads the analysis and leaves it as it was: every stack is still whole.
  const RankedSite& first = analysis->sites().front();
  EXPECT_EQ(analysis->stack(first).size(), 5u);
  EXPECT_EQ(analysis->stack(first)[0].address, 0x401000u + analysis->site(first).id);
}

TEST(ExportCollapsed, OutermostFirstWithLiveBytes) {
  auto analysis = analyse(threeShapes(), "collapsed.sb");
  const std::string folded = exportCollapsed(*analysis);
  // No TEARDOWN in this dump: live bytes are the last snapshot's.
  EXPECT_NE(folded.find("app+0x1200;app+0x1136 245760\n"), std::string::npos) << folded;
  EXPECT_NE(folded.find("app+0x1500 120000\n"), std::string::npos) << folded;
  const std::string allocs = exportCollapsed(*analysis, CollapsedValue::Allocs);
  EXPECT_NE(allocs.find("app+0x1200;app+0x1136 60\n"), std::string::npos) << allocs;
}

TEST(ExportCollapsed, LiveIsBeforeTheStaticDestructorsOfACleanExit) {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  d.site(0, SiteKind::Alloc, {0x401136, 0x401200});
  for (uint64_t i = 1; i <= 30; ++i) {
    d.snapshot(i * 100 * kMs, 1 << 20, {{0, i * 4096, i, i, 0}}, {});
  }
  // main returned at 3 s; then the exit frees the whole cache: nothing is live at END.
  d.teardown(3000 * kMs);
  d.snapshot(3050 * kMs, 1 << 20, {{0, 0, 0, 30, 30}}, {});
  d.end(3060 * kMs, 0);
  auto analysis = analyse(d, "collapsed_exit.sb");
  const std::string folded = exportCollapsed(*analysis);
  // The snapshot where the teardown began, at 3 s.
  EXPECT_NE(folded.find("app+0x1200;app+0x1136 122880\n"), std::string::npos) << folded;
}

TEST(ExportCollapsed, FrameNamesNeverBreakTheFormat) {
  Frame f;
  f.function = "std::map<int;int>::at(int)\nnext";
  EXPECT_EQ(collapsedFrameName(f), "std::map<int:int>::at(int)?next");
  // Line ends of every kind, terminal controls and bad bytes: one element, spaces kept.
  f.function = "a\r\tb\x1b]0;t\x07 c\xc2\x85\xc2\x9b\x7f\xe2\x80\xa8\xe2\x80\xa9\xff d\xc3\xa9";
  EXPECT_EQ(collapsedFrameName(f), "a??b?]0:t? c?????? d\xc3\xa9");
  Frame bare;
  bare.address = 0xdead;
  EXPECT_EQ(collapsedFrameName(bare), "0xdead");
}

TEST(FrameText, EveryOutputNamesAFrameTheSameWay) {
  Frame f;
  f.address = 0x401136;
  f.module = "/srv/app";
  f.offset = 0x1136;
  f.function = "handle(int)";
  f.file = "/src/server.cpp";
  f.line = 12;
  EXPECT_EQ(frameName(f), "handle(int)");
  EXPECT_EQ(frameWithPlace(f), "handle(int) (server.cpp:12)");
  EXPECT_EQ(frameLabel(f), "handle(int) at server.cpp:12");
  f.line = 0;
  EXPECT_EQ(frameWithPlace(f), "handle(int) (server.cpp)");
  EXPECT_EQ(frameLabel(f), "handle(int) in app");
  f.file.clear();
  EXPECT_EQ(frameWithPlace(f), "handle(int) (app)");

  Frame unnamed;
  unnamed.address = 0x401136;
  unnamed.module = "/srv/app";
  unnamed.offset = 0x1136;
  unnamed.note = "build-id mismatch";
  EXPECT_EQ(frameName(unnamed), "app+0x1136");
  EXPECT_EQ(frameWithPlace(unnamed), "app+0x1136 (build-id mismatch)");
  EXPECT_EQ(frameLabel(unnamed), "app+0x1136 (build-id mismatch)");
  EXPECT_EQ(collapsedFrameName(unnamed), "app+0x1136");

  Frame stray;
  stray.address = 0xdead;
  EXPECT_EQ(frameWithPlace(stray), "0xdead");
  EXPECT_EQ(frameLabel(stray), "0xdead");
}

TEST(ReportText, HeaderNotesAndLinesWithinWidth) {
  // given a dump that records dropped events
  auto analysis = analyse(threeShapes(), "report.sb");
  ReportSettings settings;
  settings.all = true;
  // when it is reported
  const std::string text = reportText(*analysis, settings);
  // then the header says what ran and what was lost, and no line passes 100 columns
  EXPECT_NE(text.find("slowburn report: /srv/app (pid 4242)"), std::string::npos) << text;
  EXPECT_NE(text.find("3 events dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("#1   GROWING"), std::string::npos) << text;
  EXPECT_EQ(text.find("torn"), std::string::npos) << text;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    EXPECT_LE(end - start, settings.width) << text.substr(start, end - start);
    start = end + 1;
  }
}

TEST(ReportText, TornTailIsNotedAndTheRestAnalysed) {
  // given a dump cut in the middle of its last record
  std::vector<uint8_t> bytes = threeShapes().bytes();
  bytes.resize(bytes.size() - 3);
  const std::string path = ::testing::TempDir() + "torn.sb";
  testing::writeFile(path, bytes);
  auto analysis = analyzeDump(path);
  std::remove(path.c_str());
  // then the report says so and the sites are still there
  EXPECT_TRUE(analysis->profile().read.truncated);
  const std::string text = reportText(*analysis, {});
  EXPECT_NE(text.find("note: torn tail"), std::string::npos) << text;
  EXPECT_NE(text.find("#1   GROWING"), std::string::npos) << text;
  EXPECT_NE(exportJson(*analysis).find("\"truncated\": true"), std::string::npos);
}

// A heap that stays flat, a mapping site that grows, and RSS that grows five times faster
// than both: the report must say most of it is unexplained, within its width.
SyntheticDump mappingsAndUnexplainedRss() {
  SyntheticDump d;
  d.header(4242, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  d.site(0, SiteKind::Alloc, {0x401136});
  d.site(1, SiteKind::Mmap, {0x401500});
  for (uint64_t i = 1; i <= 40; ++i) {
    d.snapshot(i * 100 * kMs, (8 + 5 * i) << 20,
               {{0, 4096, 1, i == 1 ? 1u : 0u, 0}, {1, i << 20, i, 1, 0}});
  }
  d.end(4000 * kMs, 0);
  return d;
}

TEST(ReportText, MappingSitesAndTheRssAccountAreInTheHeaderAndTheJson) {
  auto analysis = analyse(mappingsAndUnexplainedRss(), "mappings.sb");
  ReportSettings settings;
  settings.all = true;
  const std::string text = reportText(*analysis, settings);
  EXPECT_NE(text.find("2 sites (1 alloc, 1 mmap, 0 syscall)"), std::string::npos) << text;
  EXPECT_NE(text.find("mapped 40.0 MiB at end"), std::string::npos) << text;
  EXPECT_NE(text.find("RSS +"), std::string::npos) << text;
  EXPECT_NE(text.find("tracked heap 0 B, mappings +"), std::string::npos) << text;
  EXPECT_NE(text.find("fragmentation"), std::string::npos) << text;
  EXPECT_NE(text.find("thread"), std::string::npos) << text;
  EXPECT_NE(text.find("#1   GROWING"), std::string::npos) << text;
  EXPECT_NE(text.find("40 mappings made, 0 unmapped"), std::string::npos) << text;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    EXPECT_LE(end - start, settings.width) << text.substr(start, end - start);
    start = end + 1;
  }
  const std::string json = exportJson(*analysis);
  for (const char* field :
       {"\"kind\": \"mmap\"", "\"mapped_bytes_end\": 41943040", "\"mostly_unexplained\": true",
        "\"heap_growth_bytes\": 0", "\"interpreter\": null", "not in the books"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << "\n" << json;
  }
  EXPECT_NE(exportCsv(*analysis).find("\r\n1,mmap,,GROWING,"), std::string::npos);
}

TEST(ReportText, FitWidthCutsWithAnEllipsis) {
  EXPECT_EQ(fitWidth("short", 10), "short");
  EXPECT_EQ(fitWidth("0123456789abc", 10), "0123456...");
  // never inside a UTF-8 character: "é" is two bytes
  EXPECT_EQ(fitWidth("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 6), "\xc3\xa9...");
}

TEST(Terminal, PrintableReplacesEveryControlAndBadByte) {
  EXPECT_EQ(printable("\x1b]0;title\x07 \x1b[2J"), "?]0;title? ?[2J");
  EXPECT_EQ(printable("\r\n\t\x7f\x01"), "?????");
  EXPECT_EQ(printable("c1 \xc2\x9b"
                      "31m \xc2\x85"),
            "c1 ?31m ?");
  EXPECT_EQ(printable("bad \xff\xfe \xc3"), "bad ?? ?");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
}

}  // namespace
}  // namespace slowburn::analyze
