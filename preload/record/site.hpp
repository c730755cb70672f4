#pragma once
// One call site as the program's threads know it: its identity (hash of the stack, or of
// a syscall caller's first frames and op), its number on the channel, and whether the
// collector has been told about it. Its frames are not kept: whoever defines it on a
// channel has just captured them (the collector keeps them, in the dump's stack tree).

#include <atomic>
#include <cstdint>

#include "slowburn/format.hpp"

namespace slowburn::preload {

struct SiteEntry {
  uint64_t key = 0;
  uint32_t id = 0;  // dense in the order sites were made; gaps where an insert lost a race
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  // The channel epoch whose collector has this site's definition (0: none yet). A fork
  // child starts a new epoch, so its sites are defined again on their first use there.
  std::atomic<uint32_t> definedEpoch{0};
  // Syscall sites: epoch << 32 | the shared counter slot it counts into in that epoch.
  std::atomic<uint64_t> counterTag{0};
};

}  // namespace slowburn::preload
