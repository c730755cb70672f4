#include "rank/run_diff.hpp"

#include <algorithm>
#include <tuple>

namespace slowburn::analyze {
namespace {

// Callers past the location that tell two paths to one function apart.
constexpr size_t kCallers = 4;

bool growing(const RankedSite* r) { return r != nullptr && r->verdict.cls == SiteClass::Growing; }

uint64_t liveBeforeExit(const Analysis& analysis, const RankedSite* r) {
  if (r == nullptr || !analysis.site(*r).isAlloc()) return 0;
  return std::max(r->liveBeforeExit, analysis.site(*r).liveBytes);
}

std::vector<LocationKey> keysOf(const Analysis& analysis) {
  std::vector<LocationKey> keys;
  keys.reserve(analysis.sites().size());
  for (const RankedSite& r : analysis.sites()) keys.push_back(locationKey(analysis, r));
  return keys;
}

}  // namespace

const char* diffChangeName(DiffChange change) {
  switch (change) {
    case DiffChange::Same: return "same";
    case DiffChange::ClassChanged: return "class_changed";
    case DiffChange::New: return "new";
    case DiffChange::Gone: return "gone";
  }
  return "";
}

LocationKey locationKey(const Analysis& analysis, const RankedSite& site) {
  const SiteProfile& s = analysis.site(site);
  const Frame& where = analysis.location(site);
  LocationKey key;
  key.kind = s.kind;
  key.op = s.op;
  key.function = where.function;
  key.file = where.file;
  key.line = where.line;
  key.module = where.module;
  key.offset = where.offset;
  const StackView stack = analysis.stack(site);
  const size_t end = std::min(stack.size(), stack.location() + 1 + kCallers);
  for (size_t i = 0; i < end; ++i) {
    if (i != stack.location()) key.context.push_back(stack[i].function);
  }
  return key;
}

RunDiff diffRuns(const Analysis& a, const Analysis& b, double minConfidence) {
  const auto& sitesA = a.sites();
  const auto& sitesB = b.sites();
  RunDiff diff;
  for (const LocationPair& p : matchLocations(keysOf(a), keysOf(b))) {
    DiffRow row;
    row.a = p.a ? &sitesA[*p.a] : nullptr;
    row.b = p.b ? &sitesB[*p.b] : nullptr;
    row.moved = p.moved;
    row.growthA = row.a ? row.a->growthBytesPerSec.value_or(0.0) : 0.0;
    row.growthB = row.b ? row.b->growthBytesPerSec.value_or(0.0) : 0.0;
    row.liveA = liveBeforeExit(a, row.a);
    row.liveB = liveBeforeExit(b, row.b);
    if (row.a == nullptr) {
      row.change = DiffChange::New;
      ++diff.added;
    } else if (row.b == nullptr) {
      row.change = DiffChange::Gone;
      ++diff.gone;
    } else {
      ++diff.matched;
      row.change =
          row.a->verdict.cls == row.b->verdict.cls ? DiffChange::Same : DiffChange::ClassChanged;
      if (row.change == DiffChange::ClassChanged) ++diff.classChanged;
    }
    row.newGrowth = growing(row.b) && row.b->verdict.confidence >= minConfidence && !growing(row.a);
    if (row.newGrowth) ++diff.newGrowth;
    if (growing(row.a) && !growing(row.b)) ++diff.stoppedGrowing;
    diff.rows.push_back(row);
  }
  // Worst first: faster growth in B, then more kept live, then B's (else A's) rank.
  const auto order = [](const DiffRow& r) {
    const size_t rank = r.b ? r.b->rank : r.a->rank;
    return std::make_tuple(-(r.growthB - r.growthA),
                           -(static_cast<double>(r.liveB) - static_cast<double>(r.liveA)),
                           r.b == nullptr, rank);
  };
  std::stable_sort(diff.rows.begin(), diff.rows.end(),
                   [&order](const DiffRow& x, const DiffRow& y) { return order(x) < order(y); });
  return diff;
}

}  // namespace slowburn::analyze
