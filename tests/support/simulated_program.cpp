#include "support/simulated_program.hpp"

#include <algorithm>

namespace slowburn::families {
namespace {

constexpr double kNsPerSecond = 1e9;

uint64_t roundCount(uint64_t countQ) {
  return (countQ + preload::kCountOne / 2) / preload::kCountOne;
}

}  // namespace

SimulatedProgram::SimulatedProgram(uint64_t seed, uint64_t sampleBytes, double intervalS)
    : m_rng(seed), m_sampler(sampleBytes), m_intervalS(intervalS), m_nextS(intervalS) {
  m_sampler.seed(m_samplerState, seed + 1);  // 0 would seed from the clock
  analyze::Header header;
  header.pid = 1;
  header.intervalMs = static_cast<uint64_t>(intervalS * 1000 + 0.5);
  header.sampleBytes = sampleBytes;
  header.stackDepth = 32;
  header.exe = "/simulated";
  m_builder.onHeader(header);
}

size_t SimulatedProgram::site(uint64_t line, uint64_t caller) {
  analyze::Site s;
  s.id = static_cast<uint32_t>(m_books.size());
  s.kind = format::SiteKind::Alloc;
  s.frames = {line, caller};
  m_builder.onSite(s);
  m_books.emplace_back();
  return s.id;
}

Block SimulatedProgram::alloc(size_t site, uint64_t bytes) {
  Block b{site, 0, 0};
  if (!m_sampler.shouldSample(m_samplerState, bytes)) return b;
  const preload::SampleWeight w = preload::sampleWeight(bytes, m_sampler.meanBytes());
  b.bytes = w.bytes;
  b.countQ = w.countQ;
  Books& books = m_books[site];
  books.liveBytes += w.bytes;
  books.liveCountQ += w.countQ;
  books.allocsQ += w.countQ;
  books.peakBytes = std::max(books.peakBytes, books.liveBytes);
  books.changed = true;
  return b;
}

void SimulatedProgram::free(const Block& block) {
  if (block.countQ == 0) return;
  Books& books = m_books[block.site];
  books.liveBytes -= std::min(books.liveBytes, block.bytes);
  books.liveCountQ -= std::min(books.liveCountQ, block.countQ);
  books.freesQ += block.countQ;
  books.changed = true;
}

void SimulatedProgram::snapshot() {
  std::uniform_real_distribution<double> jitter(-0.05 * m_intervalS, 0.05 * m_intervalS);
  const double t = m_nextS + jitter(m_rng);
  m_nextS += m_intervalS;
  analyze::Snapshot s;
  s.timeNs = std::max(m_lastNs + 1, static_cast<uint64_t>(t * kNsPerSecond));
  m_lastNs = s.timeNs;
  for (size_t i = 0; i < m_books.size(); ++i) {
    Books& b = m_books[i];
    if (!b.changed) continue;
    s.changes.push_back({.siteId = static_cast<uint32_t>(i),
                         .kind = format::SiteKind::Alloc,
                         .liveBytes = b.liveBytes,
                         .liveCount = roundCount(b.liveCountQ),
                         .allocsDelta = roundCount(b.allocsQ),
                         .freesDelta = roundCount(b.freesQ),
                         .peakBytes = std::max(b.peakBytes, b.liveBytes)});
    s.peakLiveBytes += b.liveBytes;
    b = Books{b.liveBytes, b.liveCountQ, 0, 0, b.liveBytes, false};
  }
  m_builder.onSnapshot(s);
}

analyze::Profile SimulatedProgram::finish() {
  m_builder.onEnd(analyze::End{.timeNs = m_lastNs + 1000, .droppedEvents = 0});
  analyze::ReadSummary summary;
  summary.sawEnd = true;
  return m_builder.finish(summary);
}

}  // namespace slowburn::families
