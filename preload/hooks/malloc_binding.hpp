#pragma once
// Whether the program's malloc is the preload's. An executable that defines malloc itself
// (an allocator linked into it statically: libjemalloc_pic.a, mimalloc's object file,
// tcmalloc_minimal.a) binds its own calls and every library's to that definition, ahead of
// any LD_PRELOAD: its blocks never reach the hooks. What that allocator maps still does,
// through the mapping hooks, so the mapping view is what there is to rank.

namespace slowburn::preload {

// Says so, once on stderr per process and as a NOTE in the dump of the channel just
// started, when malloc resolves to another object than this library. Called with the
// reentry guard held, once a channel is current.
void noteForeignMalloc();

}  // namespace slowburn::preload
