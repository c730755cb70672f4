#pragma once
// `slowburn check`: the CI gate. A site fails the budget when it is GROWING faster than the
// allowed rate and the classifier is at least minConfidence sure of it.

#include <string>
#include <vector>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

// Documented in `slowburn check --help`: below this the classifier itself calls a trend
// doubtful, and a CI gate that flaps is worse than none.
inline constexpr double kDefaultMinConfidence = 0.5;

struct CheckSettings {
  double maxGrowthBytesPerSec = 0;
  std::string budgetText;  // as the user wrote it, for messages; "" to print the rate
  double minConfidence = kDefaultMinConfidence;
};

struct CheckResult {
  std::vector<const RankedSite*> overBudget;  // in rank order
  bool passed() const { return overBudget.empty(); }
};

// The budget's one rule, which `slowburn watch` alerts by too: a GROWING alloc location
// (RankedSite::growthBytesPerSec) faster than the budget, with enough confidence.
bool overBudget(const RankedSite& ranked, const CheckSettings& settings);

// Only GROWING alloc sites count (RankedSite::growthBytesPerSec).
CheckResult checkBudget(const Analysis& analysis, const CheckSettings& settings);

// One line per failing site and a verdict line, for stdout.
std::string formatCheck(const Analysis& analysis, const CheckSettings& settings,
                        const CheckResult& result);

}  // namespace slowburn::analyze
