#pragma once
// `slowburn export --format json`: the SPEC's "slowburn-report" document. Field names,
// nesting and types are a contract; fields may be added, never renamed.

#include <string>

#include "output/pieces.hpp"
#include "rank/analysis.hpp"

namespace slowburn::analyze {

// The whole document, ending with a newline.
std::string exportJson(const Analysis& analysis);

// The same document handed to sink in pieces of about a MiB, so a dump of many sites is
// never held whole in memory.
void exportJson(const Analysis& analysis, const TextSink& sink);

}  // namespace slowburn::analyze
