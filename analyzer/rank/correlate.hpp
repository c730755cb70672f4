#pragma once
// Syscall correlation: a growing alloc site and a syscall site whose location frames are the
// same function of the same module are two faces of one loop, so the bytes the alloc site
// keeps can be counted per syscall ("keeps ~1 KiB per read()"). Pure: unit-testable.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "slowburn/format.hpp"

namespace slowburn::analyze {

struct CorrelationSite {
  bool isAlloc = true;
  bool growing = false;  // alloc sites: only GROWING ones correlate
  format::SyscallOp op = format::SyscallOp::None;
  std::string module;          // of the location frame
  std::string function;        // of the location frame; "" when unknown (never correlates)
  uint64_t retainedBytes = 0;  // alloc: the site's growth in live bytes over the run
  uint64_t calls = 0;          // syscall: calls over the run
};

struct CorrelationLink {
  size_t alloc = 0;    // index into the input
  size_t syscall = 0;  // index into the input
  double retainedBytesPerSyscall = 0;
};

// Reads bring data in, so a read-family site is preferred as the partner; among equals, the
// one with the most calls. At most one link per alloc site; a syscall site may have several.
std::vector<CorrelationLink> correlateSites(const std::vector<CorrelationSite>& sites);

// True for read, pread64, readv, recv, recvfrom, recvmsg.
bool isReadOp(format::SyscallOp op);

}  // namespace slowburn::analyze
