#pragma once
// The resolve stage: every site's recorded addresses become frames once, after the dump is
// read and before anything ranks, groups or prints them; what it hands over never changes.
//
// Each distinct address is symbolized once into a shared frame table (a compiler's 40,000
// sites share some 11,000 addresses), and a site holds ids into it, so every site's stack
// costs four bytes a frame, not a copy of its strings.
//
// Two depths. Every site is resolved up to its location (inner frames until the program's
// own code: plumbing.hpp's rule), which is all that ranking, grouping and correlation read.
// The whole stack is resolved only for the sites an output prints, so a report of the top 10
// of a huge dump never symbolizes the callers of the other sites; and for mapping sites,
// whose location may lie past an allocator's frames (plumbing.hpp's userFramePastAllocator).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "read/profile.hpp"
#include "symbols/frame.hpp"
#include "symbols/symbolizer.hpp"

namespace slowburn::analyze {

// A site's whole stack: innermost first, every recorded address expanded into its inlined
// calls (push_back inlined into the user's function is a frame of its own).
class StackView {
 public:
  StackView(const std::vector<Frame>& table, std::span<const uint32_t> ids, size_t location)
      : m_table(&table), m_ids(ids), m_location(location) {}

  size_t size() const { return m_ids.size(); }
  bool empty() const { return m_ids.empty(); }
  const Frame& operator[](size_t i) const { return (*m_table)[m_ids[i]]; }
  // Index of the frame a user should open; 0 for an empty stack.
  size_t location() const { return m_location; }

 private:
  const std::vector<Frame>* m_table;
  std::span<const uint32_t> m_ids;
  size_t m_location;
};

class ResolvedStacks {
 public:
  // The frame a user should open at the site (by index into Profile::sites); a frame with
  // nothing known when the site recorded no stack.
  const Frame& location(size_t siteIndex) const;
  // Throws std::logic_error for a site resolved only up to its location: an output asked
  // for a stack the command did not ask the resolve stage for.
  StackView stack(size_t siteIndex) const;

 private:
  friend class Resolver;
  struct SiteFrames {
    std::vector<uint32_t> ids;   // into m_frames; the whole stack, or up to the location
    uint32_t location = 0;       // index into ids: the first user frame, else 0
    uint32_t addressesDone = 0;  // recorded addresses expanded so far
    bool located = false;        // a user frame was found
    bool whole = false;          // every recorded address is expanded
  };
  std::vector<Frame> m_frames;  // each distinct address's inline chain, consecutively
  std::vector<SiteFrames> m_sites;
};

// What the resolved frames and the sites' frame ids may take: 64 bytes per byte of dump, at
// least 32 MiB and at most 256 MiB. A dump whose stacks would resolve to more (distinct
// addresses by the thousand, each frame a copy of a 4 KiB module path) is refused with
// DumpError rather than analysed without bound; a real dump's sites share their addresses
// (a compiler's 40,000 sites some 11,000) and take a small part of it.
inline constexpr size_t kMaxResolvedBytes = size_t{256} << 20;
inline constexpr size_t kMinResolvedBytes = size_t{32} << 20;
inline constexpr size_t kResolvedBytesPerDumpByte = 64;

class Resolver {
 public:
  // Symbolizes against the modules the dump recorded; profile must outlive the resolver.
  // maxResolvedBytes caps the budget above.
  Resolver(const Profile& profile, const SymbolizerOptions& options,
           size_t maxResolvedBytes = kMaxResolvedBytes);

  // Every site up to its location.
  void locateAll();
  // The rest of one site's stack.
  void resolveWhole(size_t siteIndex);
  // What is resolved so far, for the stages that run between the two depths.
  const ResolvedStacks& resolved() const { return m_out; }
  // Hands the stacks over; the symbolizer and the debug information it holds go with the
  // resolver.
  ResolvedStacks finish() && { return std::move(m_out); }

 private:
  struct Chain {
    uint32_t first = 0;  // into m_out.m_frames
    uint32_t count = 0;
    std::optional<uint32_t> user;  // the first of the program's own frames in it, if any
  };
  const Chain& chainOf(uint64_t address);
  // Expands the site's next recorded address; false when there is none left.
  bool expandNext(size_t siteIndex);
  void locateMapping(size_t siteIndex);
  // Counts bytes against the budget; throws DumpError past it.
  void charge(size_t bytes);

  const Profile& m_profile;
  size_t m_maxResolvedBytes;
  size_t m_resolvedBytes = 0;
  Symbolizer m_symbolizer;
  std::unordered_map<uint64_t, Chain> m_chains;  // by recorded (return) address
  ResolvedStacks m_out;
};

}  // namespace slowburn::analyze
