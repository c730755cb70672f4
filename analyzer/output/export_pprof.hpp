#pragma once
// `slowburn export --format pprof`: the heap as pprof and the continuous-profiling engines
// read it, a gzip-compressed profile.proto (the schema Debian's golang-github-google-pprof-dev
// ships, compiled by protoc).
//
// One sample per alloc site (stack), three values:
//   inuse_objects/count, inuse_space/bytes  the live state at the end, or before the exit's
//                                           teardown after a clean exit (as collapsed shows)
//   growth_per_hour/bytes                   a GROWING line's growth rate, split over its
//                                           stacks by how much each climbed
// default_sample_type is inuse_space. A stack starts at the site's location (the program's
// line, past malloc, operator new and the container internals), as a Go heap profile starts
// at the caller of the allocator, so `go tool pprof -top` names the line. The values are the
// dump's, which a sampled recording already weighs up to whole-program estimates.

#include <string>

#include "rank/analysis.hpp"

namespace slowburn::analyze {

// Bytes of the gzip'd profile. The analysis must hold the whole stacks of its alloc sites.
std::string exportPprof(const Analysis& analysis);

}  // namespace slowburn::analyze
