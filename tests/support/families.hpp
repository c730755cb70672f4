#pragma once
// Parameterised families of simulated programs, judged by the analyzer's real ranking
// (analyzeProfile: lines gathered, classified, hand-overs found, ranked) over many seeds.
// One place for the families: `sbfamilies` prints their rates as the table docs/RANKING.md
// shows, and the unit tests assert bounds on the same rates with fewer seeds.
//
// A run either has a leak (sites that keep memory forever, all at one line) or has none.
// Detected: the leak's line is GROWING and ranked #1. False alarm: any line without a leak
// is GROWING.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "read/profile.hpp"

namespace slowburn::families {

// One seed's run: the profile, and the sites that leak (empty when none does).
struct Run {
  analyze::Profile profile;
  std::vector<size_t> leakSites;
};

struct Variant {
  std::string family;
  std::string parameter;
  bool leaks = false;  // whether runs have a leak to find (detection is measured then)
  std::function<Run(uint64_t seed)> make;
};

struct Outcome {
  bool detected = false;    // the leak's line is GROWING and #1
  bool falseAlarm = false;  // a line without a leak is GROWING
};

// Analyses the run as `slowburn report` analyses a dump.
Outcome judge(Run run);

struct Rates {
  size_t seeds = 0, detected = 0, falseAlarms = 0;
  double detection() const { return seeds ? static_cast<double>(detected) / seeds : 0; }
  double falseAlarm() const { return seeds ? static_cast<double>(falseAlarms) / seeds : 0; }
};

// Seeds firstSeed, firstSeed + 1, ...: deterministic.
Rates measure(const Variant& variant, size_t seeds, uint64_t firstSeed = 1);

// Every family, in the order the table shows them.
std::vector<Variant> allVariants();

// The variants of one family ("leak rate", "noise", ...).
std::vector<Variant> familyVariants(const std::string& family);

}  // namespace slowburn::families
