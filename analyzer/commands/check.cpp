#include "commands/check.hpp"

#include <fmt/format.h>

#include "output/frame_text.hpp"
#include "output/terminal.hpp"
#include "output/units.hpp"

namespace slowburn::analyze {

bool overBudget(const RankedSite& r, const CheckSettings& settings) {
  // Only a GROWING alloc site has a growth rate: a syscall site's trend is in calls.
  if (!r.growthBytesPerSec || r.verdict.confidence < settings.minConfidence) return false;
  return *r.growthBytesPerSec > settings.maxGrowthBytesPerSec;
}

CheckResult checkBudget(const Analysis& analysis, const CheckSettings& settings) {
  CheckResult result;
  for (const RankedSite& r : analysis.sites()) {
    if (overBudget(r, settings)) result.overBudget.push_back(&r);
  }
  return result;
}

std::string formatCheck(const Analysis& analysis, const CheckSettings& settings,
                        const CheckResult& result) {
  std::string out;
  const std::string rate = formatRate(settings.maxGrowthBytesPerSec);
  const std::string budget = settings.budgetText.empty() || settings.budgetText == rate
                                 ? rate
                                 : fmt::format("{} ({})", settings.budgetText, rate);
  for (const RankedSite* r : result.overBudget) {
    out += fmt::format("over budget: #{} grows {} (confidence {:.2f}) at {}\n", r->rank,
                       formatRate(*r->growthBytesPerSec), r->verdict.confidence,
                       printable(frameLabel(analysis.location(*r))));
  }
  const Profile& p = analysis.profile();
  if (result.passed()) {
    out += fmt::format("check passed: no site grows faster than {} (of {} sites, {} run)\n", budget,
                       p.sites.size(), formatDuration(p.durationS()));
  } else {
    out += fmt::format("check failed: {} site{} grow{} faster than {}\n", result.overBudget.size(),
                       result.overBudget.size() == 1 ? "" : "s",
                       result.overBudget.size() == 1 ? "s" : "", budget);
  }
  return out;
}

}  // namespace slowburn::analyze
