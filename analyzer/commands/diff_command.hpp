#pragma once
// `slowburn diff A B`: compares two runs of one program, location by location, and with
// --fail-on-new-growth is a CI gate for "this change introduced a creep".

#include <string>

#include "commands/check.hpp"
#include "output/diff_report.hpp"

namespace slowburn::analyze {

struct DiffSettings {
  std::string dumpA, dumpB;
  bool json = false;
  bool failOnNewGrowth = false;
  double minConfidence = kDefaultMinConfidence;  // for new growth, as check counts it
  DiffTextSettings text;
};

// Prints the diff on stdout; returns 1 when failOnNewGrowth and B grows where A did not,
// else 0. Throws for a dump that cannot be read (exit 2 in main).
int runDiff(const DiffSettings& settings);

}  // namespace slowburn::analyze
