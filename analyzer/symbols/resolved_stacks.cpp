#include "symbols/resolved_stacks.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "symbols/plumbing.hpp"

namespace slowburn::analyze {
namespace {

// The location of a site without frames.
const Frame kNoFrame{};

// What a frame takes: itself and the text its strings keep on the heap.
size_t frameBytes(const Frame& f) {
  const auto heap = [](const std::string& s) {
    return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
  };
  return sizeof(Frame) + heap(f.module) + heap(f.function) + heap(f.file) + heap(f.note);
}

// A chain's entry in the address map, about: key, value, hash node.
constexpr size_t kChainEntryBytes = 64;

}  // namespace

const Frame& ResolvedStacks::location(size_t siteIndex) const {
  const SiteFrames& site = m_sites[siteIndex];
  return site.ids.empty() ? kNoFrame : m_frames[site.ids[site.location]];
}

StackView ResolvedStacks::stack(size_t siteIndex) const {
  const SiteFrames& site = m_sites[siteIndex];
  if (!site.whole) {
    throw std::logic_error("the stack of site " + std::to_string(siteIndex) +
                           " was resolved only up to its location");
  }
  return {m_frames, site.ids, site.location};
}

Resolver::Resolver(const Profile& profile, const SymbolizerOptions& options,
                   size_t maxResolvedBytes)
    : m_profile(profile),
      m_maxResolvedBytes(std::min(
          maxResolvedBytes,
          std::max(kMinResolvedBytes,
                   kResolvedBytesPerDumpByte * static_cast<size_t>(std::min<uint64_t>(
                                                   profile.read.bytes, kMaxResolvedBytes))))),
      m_symbolizer(options) {
  for (const Module& m : profile.modules) {
    m_symbolizer.addModule(m);
  }
  m_out.m_sites.resize(profile.sites.size());
}

const Resolver::Chain& Resolver::chainOf(uint64_t address) {
  auto it = m_chains.find(address);
  if (it != m_chains.end()) return it->second;
  // Every recorded address is a return address: the preload skips its own frames, so even
  // the innermost is the resume address in malloc's or read's caller.
  std::vector<Frame> frames = m_symbolizer.resolveInlineChain(address, true);
  Chain chain;
  chain.first = static_cast<uint32_t>(m_out.m_frames.size());
  chain.count = static_cast<uint32_t>(frames.size());
  if (const std::optional<size_t> user = firstUserFrame(frames)) {
    chain.user = static_cast<uint32_t>(*user);
  }
  size_t bytes = kChainEntryBytes;
  for (const Frame& f : frames) bytes += frameBytes(f);
  charge(bytes);
  for (Frame& f : frames) m_out.m_frames.push_back(std::move(f));
  return m_chains.emplace(address, chain).first->second;
}

void Resolver::charge(size_t bytes) {
  m_resolvedBytes += bytes;
  if (m_resolvedBytes > m_maxResolvedBytes) {
    throw DumpError("the dump's stacks resolve to more than " +
                    std::to_string(m_maxResolvedBytes >> 20) +
                    " MiB of frames (the analyzer's limit for a dump of this size, so that any "
                    "dump is analysed in bounded memory)");
  }
}

bool Resolver::expandNext(size_t siteIndex) {
  const std::vector<uint64_t>& addresses = m_profile.sites[siteIndex].frames;
  ResolvedStacks::SiteFrames& site = m_out.m_sites[siteIndex];
  if (site.addressesDone == addresses.size()) {
    site.whole = true;
    return false;
  }
  const Chain& chain = chainOf(addresses[site.addressesDone++]);
  if (!site.located && chain.user) {
    site.location = static_cast<uint32_t>(site.ids.size()) + *chain.user;
    site.located = true;
  }
  charge(chain.count * sizeof(uint32_t));
  for (uint32_t i = 0; i < chain.count; ++i) site.ids.push_back(chain.first + i);
  site.whole = site.addressesDone == addresses.size();
  return true;
}

void Resolver::locateAll() {
  // Without a user frame the location stays the innermost frame, as locationFrame says.
  for (size_t i = 0; i < m_out.m_sites.size(); ++i) {
    if (m_profile.sites[i].isMapping()) {
      locateMapping(i);
      continue;
    }
    while (!m_out.m_sites[i].located && expandNext(i)) {
    }
  }
}

void Resolver::locateMapping(size_t siteIndex) {
  // Mapping sites are few: their whole stack is read to see whether an allocator made the
  // mapping (see userFramePastAllocator).
  resolveWhole(siteIndex);
  ResolvedStacks::SiteFrames& site = m_out.m_sites[siteIndex];
  std::vector<Frame> frames;
  frames.reserve(site.ids.size());
  for (const uint32_t id : site.ids) frames.push_back(m_out.m_frames[id]);
  if (const std::optional<size_t> user = userFramePastAllocator(frames)) {
    site.location = static_cast<uint32_t>(*user);
    site.located = true;
  }
}

void Resolver::resolveWhole(size_t siteIndex) {
  while (expandNext(siteIndex)) {
  }
}

}  // namespace slowburn::analyze
