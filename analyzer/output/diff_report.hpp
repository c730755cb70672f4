#pragma once
// `slowburn diff`'s outputs: a table a person reads (worst first, names made
// terminal-safe), and a JSON document (docs/JSON.md, "slowburn-diff").

#include <cstddef>
#include <string>

#include "rank/run_diff.hpp"

namespace slowburn::analyze {

struct DiffRun {
  const Analysis* analysis = nullptr;
  std::string path;  // of the dump
};

struct DiffTextSettings {
  size_t top = 20;  // rows shown unless `all`
  bool all = false;
};

std::string diffText(const DiffRun& a, const DiffRun& b, const RunDiff& diff,
                     const DiffTextSettings& settings);

std::string diffJson(const DiffRun& a, const DiffRun& b, const RunDiff& diff);

}  // namespace slowburn::analyze
