#pragma once
// Whether the process a dump names is still running on this machine, for `slowburn watch`,
// which ends when it is gone. Read from /proc, never by signalling it.

#include <cstdint>

namespace slowburn::analyze {

// True when pid has no /proc entry, is a zombie, or is a process started after the dump's
// own start (startRealtimeNs): its pid was reused. A dump from another pid namespace may name
// an unrelated process; the watch also waits for the dump to go quiet before it ends.
bool processGone(uint64_t pid, uint64_t startRealtimeNs);

}  // namespace slowburn::analyze
