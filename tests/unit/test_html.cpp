#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "output/html_assets.hpp"
#include "output/html_report.hpp"
#include "output/html_text.hpp"
#include "output/sha256.hpp"
#include "output/svg_chart.hpp"
#include "rank/analysis.hpp"
#include "synthetic_dump.hpp"

namespace slowburn::analyze {
namespace {

using format::SiteKind;
using testing::SyntheticDump;

constexpr uint64_t kMs = 1'000'000;

std::string hex(const std::array<uint8_t, 32>& digest) {
  std::string out;
  for (const uint8_t b : digest) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HtmlSha256, MatchesTheFipsExamples) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Two blocks: the padding spills into a second one.
  EXPECT_EQ(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(cspHashSource("abc"), "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
}

TEST(HtmlText, EscapesMarkupAndReplacesControlsAndBadUtf8) {
  EXPECT_EQ(htmlText("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
  EXPECT_EQ(htmlText("a&amp;b"), "a&amp;amp;b");  // an entity in a name is text, not markup
  EXPECT_EQ(htmlText("tab\there\x1b[31m\x7f"), "tab?here?[31m?");
  EXPECT_EQ(htmlText("bad\xff\xfe caf\xc3\xa9 \xc2\x9b"), "bad?? caf\xc3\xa9 ?");
}

TEST(SvgChart, TicksReadInHumanUnits) {
  const std::vector<Tick> bytes = byteTicks(36.6 * 1024 * 1024);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.front().label, "0 MiB");
  EXPECT_EQ(bytes.back().label, "40 MiB");
  EXPECT_GE(bytes.back().value, 36.6 * 1024 * 1024);
  EXPECT_EQ(timeTicks(3.4).back().label, "4 s");
  EXPECT_EQ(timeTicks(600).back().label, "10 min");
  EXPECT_EQ(timeTicks(5 * 3600).back().label, "5 h");
  EXPECT_EQ(byteTicks(0).back().label, "1 B");  // an empty chart still has an axis
  EXPECT_EQ(rateTicks(36600).back().label, "40k/s");
  EXPECT_EQ(rateTicks(7).back().label, "8/s");
}

TEST(SvgChart, DrawsOneVertexPerPointAndTheFitInsideThePlot) {
  std::vector<SeriesPoint> points;
  for (int i = 0; i < 37; ++i) points.push_back({i * 0.1, i * 1000.0});
  ChartSpec spec;
  spec.lines.push_back({&points, "live", "live bytes"});
  spec.fit = FitLine{0, -500, 3.6, 35500, "growth"};
  const std::string svg = svgChart(spec);
  const size_t from = svg.find(" points=\"") + 9;
  ASSERT_NE(from, std::string::npos + 9);
  EXPECT_EQ(count(svg.substr(from, svg.find('"', from) - from), ","), 37u);
  EXPECT_NE(svg.find("data-points=\"37\""), std::string::npos);
  EXPECT_EQ(count(svg, "<line class=\"fit\""), 1u);
}

// A dump whose executable, module and note are named to break out of HTML.
SyntheticDump hostile(const std::string& name) {
  SyntheticDump d;
  d.header(7, "/srv/" + name);
  d.module(0, 0x400000, 0x100000, "/nonexistent/" + name);
  d.site(0, SiteKind::Alloc, {0x401136});
  for (uint64_t i = 1; i <= 40; ++i) d.snapshot(i * 100 * kMs, 1 << 20, {{0, i * 4096, i, i, 0}});
  d.note(format::NoteKind::Info, 0, name);
  d.end(4050 * kMs);
  return d;
}

TEST(HtmlReport, HostileNamesAreTextAndOnlyTheReportsOwnScriptIsAllowed) {
  const std::string name = "<script>window.__pwned=1</script><img src=x onerror=\"x\">&'\x01\xff";
  const std::string path = ::testing::TempDir() + "hostile_html.sb";
  testing::writeFile(path, hostile(name).bytes());
  const auto analysis = analyzeDump(path);
  std::remove(path.c_str());
  const std::string page = htmlReport(*analysis, HtmlSettings{});

  EXPECT_EQ(count(page, "<script"), 1u);
  EXPECT_EQ(count(page, "<img"), 0u);
  EXPECT_NE(page.find("(pid 7)"), std::string::npos);
  EXPECT_NE(page.find("<span class=\"exe\">/srv/" + htmlText(name) + "</span>"), std::string::npos);
  EXPECT_NE(page.find("note: " + htmlText(name)), std::string::npos);
  EXPECT_NE(page.find("script&gt;&lt;img src=x onerror=&quot;x&quot;&gt;&amp;&#39;??+0x1136"),
            std::string::npos);  // the module's frame
  const std::string csp = "script-src " + cspHashSource(kHtmlScript) + ";";
  EXPECT_NE(page.find(csp), std::string::npos);
  EXPECT_NE(page.find("style-src " + cspHashSource(kHtmlStyle) + ";"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));  // no fetches
  EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST(HtmlReport, ListsTheFirstRowsAndCountsTheRest) {
  SyntheticDump d;
  d.header(7, "/srv/app");
  d.module(0, 0x400000, 0x100000, "/nonexistent/app");
  for (uint32_t s = 0; s < 30; ++s) d.site(s, SiteKind::Alloc, {0x401000 + 16u * s});
  for (uint64_t i = 1; i <= 20; ++i) {
    std::vector<testing::AllocChange> changes;
    for (uint32_t s = 0; s < 30; ++s) changes.push_back({s, 1000 + s, 1, 1, 0});
    d.snapshot(i * 100 * kMs, 1 << 20, changes);
  }
  const std::string path = ::testing::TempDir() + "rows_html.sb";
  testing::writeFile(path, d.bytes());
  const auto analysis = analyzeDump(path);
  std::remove(path.c_str());
  HtmlSettings settings;
  settings.top = 3;
  settings.rows = 12;
  const std::string page = htmlReport(*analysis, settings);
  const size_t body = page.find("<tbody>");
  EXPECT_EQ(count(page.substr(body, page.find("</tbody>") - body), "<tr"), 12u);
  EXPECT_EQ(count(page, "<section class=\"site"), 3u);
  EXPECT_NE(page.find("18 more locations not listed (18 STABLE)"), std::string::npos);
}

}  // namespace
}  // namespace slowburn::analyze
