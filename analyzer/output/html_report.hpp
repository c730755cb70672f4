#pragma once
// `slowburn html`: one self-contained page an on-call engineer opens from a ticket. At the
// top the verdict (the first-ranked location, or that nothing grew) and the process's RSS
// and tracked heap over time; then the ranked table (sortable, class badges with a legend);
// then, for each of the top locations, its live bytes over time with the detected growth
// line, its figures and its stack. Huge dumps stay quick to open: the table lists the first
// `rows` locations and the rest are counted by class.
//
// Nothing is fetched: style and script are inline and allowed by hash alone, so text from
// the dump (escaped by htmlText) could not run as script even if it were not.

#include <cstddef>
#include <string>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

struct HtmlSettings {
  size_t top = 10;       // locations with a chart and a stack
  size_t rows = 200;     // locations listed in the table (at least `top`)
  size_t frames = 16;    // stack frames shown past each location
  std::string dumpPath;  // named in the footer
};

std::string htmlReport(const Analysis& analysis, const HtmlSettings& settings);

}  // namespace slowburn::analyze
