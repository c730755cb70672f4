#pragma once
// Which location of one run is which of another: `slowburn diff` pairs the program lines of
// two runs of the same program by what they are called, never by address (ASLR moves every
// PIE and library; a rebuild moves the code itself).
//
// A line is named by its kind (and syscall), function, source file name and line; without
// source, by the function in its module's file name; without a function, by the module's
// file name and offset (stable across load addresses, not across rebuilds). A location with
// nothing but an address matches nothing. Its stack is the function names around it: the
// calls from its line into the allocator and a few callers. Three passes, each over what
// the one before left:
//   1. the same line reached through the same stack;
//   2. a line that moved (code added above it): the same function and file, the same stack,
//      another line; when one function has several such lines on each side, they pair in
//      line order only when both sides have as many;
//   3. the same line through another stack (a caller was changed).
// Line numbers alone would pair the wrong lines once code moves: two lines inserted above
// put one allocation on the line number another had.
// Pure: unit-testable without dumps.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "slowburn/format.hpp"

namespace slowburn::analyze {

struct LocationKey {
  format::SiteKind kind = format::SiteKind::Alloc;
  format::SyscallOp op = format::SyscallOp::None;
  std::string function;  // "" when unknown
  std::string file;      // as in DWARF; only its file name is compared
  int line = 0;
  std::string module;  // path; only its file name is compared
  uint64_t offset = 0;
  // Function names of the leading stack around the location: the frames inside it (the
  // way into the allocator) and a few callers.
  std::vector<std::string> context;
};

struct LocationPair {
  std::optional<size_t> a;  // index into the first run's keys; none for a new location
  std::optional<size_t> b;  // into the second's; none for a location gone
  bool moved = false;       // its line changed (second pass)
};

// Every key of a and of b in exactly one pair; pairs in the order of b, then a's unpaired.
std::vector<LocationPair> matchLocations(const std::vector<LocationKey>& a,
                                         const std::vector<LocationKey>& b);

}  // namespace slowburn::analyze
