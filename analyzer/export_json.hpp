#pragma once
// `slowburn export --format json`: the SPEC's "slowburn-report" document. Field names,
// nesting and types are a contract; fields may be added, never renamed.

#include <string>

#include "analysis.hpp"

namespace slowburn::analyze {

// The whole document, ending with a newline.
std::string exportJson(Analysis& analysis);

}  // namespace slowburn::analyze
