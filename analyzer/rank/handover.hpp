#pragma once
// Memory that changes hands is not growth.
//
// A cache filled through one path and refreshed through another frees an entry of the fill
// path's line each time it makes one at the refresh path's line: the refresh line climbs
// (until every entry has been refreshed once), the fill line falls by the same bytes at the
// same moments, and the cache as a whole stays the size it was. Judged alone, the refresh
// line is a leak. Judged together with the line it takes its bytes from, it is not.
//
// For each climbing location X, its rise between consecutive snapshots, need_i = max(0,
// X_i - X_{i-1}), is matched against what falling locations lost in the same interval,
// fall_i = sum over Y of max(0, Y_{i-1} - Y_i) (only locations that ended well below their
// high: a churning line's jitter is no source). Falls are shared out once, the best matched
// climbers first (each judged alone beforehand), so a real leak that grows while a refreshed
// cache's fill line falls does not borrow the falls the refresh mirrors. X changed hands when
//   - the falls matched at least `minMatched` of its rise, and
//   - its climbs go with the matched lines' falls, interval by interval (Pearson
//     correlation >= minCorrelation), or the two are too steady to correlate: an unrelated
//     cache being drained while a leak grows rarely does both at the same moments.
// With sampling, each line's values carry noise of their own (a refresh sampled at one line
// and its freed entry unsampled at the other), so increments are matched over windows of
// several snapshots (enough for the noise to average out: `sampledWindows` windows over the
// run), and moving together is read from the sum: from the window where the sources stood
// highest on (a cache still filling at the first snapshot fills in the first window), the
// climber and its sources together must not have grown by more than `maxSampledNet` of its
// rise. Both tests allow two sigmas of the sampling noise on a change: the blocks that stay
// cancel out of a difference, so it is sqrt(bytes that came and went * sample bytes), the
// climber's rise and the falls it was matched with. Sampled, a big source's falls cover any
// small climber, so climbers are served in the order of how level their sum with their
// sources stays (a refresh mirrors its source; a leak beside it does not), and what a
// source has left in a window once a climber took its share counts only beyond two sigmas
// of that exchange's noise, sqrt(2 * taken * sample bytes): a leak is not matched with the
// leftover of a refresh's sampling noise.

#include <cstddef>
#include <optional>
#include <vector>

#include "rank/classify.hpp"
#include "rank/locations.hpp"
#include "read/profile.hpp"

namespace slowburn::analyze {

struct HandOverSettings {
  double minMatched = 0.8;
  double minCorrelation = 0.5;
  double minSourceFall = 0.1;  // a source ends at least this share of its peak below it
  size_t sampledWindows = 8;
  double maxSampledNet = 0.2;
  // Only the lines that climbed most and the sources that fell most are matched: the work
  // and memory stay bounded on a dump of many thousands of lines.
  size_t maxClimbers = 64;
  size_t maxSources = 256;
};

struct HandOver {
  size_t from = 0;     // the location it took most of its bytes from
  double matched = 0;  // share of its rise the falls matched
};

// For each location (by index), the hand-over that explains its climb, if any. Locations
// that climbed and are GROWING or PLATEAU are examined: a GROWING one is then no growth, a
// PLATEAU one (it filled as the other emptied) keeps its class; both say where from.
std::vector<std::optional<HandOver>> findHandOvers(const Profile& profile,
                                                   const std::vector<Location>& locations,
                                                   const std::vector<TrendVerdict>& verdicts,
                                                   const HandOverSettings& settings = {});

}  // namespace slowburn::analyze
