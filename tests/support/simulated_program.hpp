#pragma once
// A program simulated allocation by allocation, recorded as the preload records one: each
// allocation goes through the preload's own byte sampler (record/sampler.hpp) and is booked
// at its weight, and at every snapshot the sites that changed report their live bytes and
// counts. The result is the Profile `slowburn report` would build from the dump, so the
// analyzer's real ranking judges it.
//
// A site is one stack: frames {line, caller}. Sites that share a line are one location for
// the analysis (the innermost frame resolves to no module: its address is the location).

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "read/profile.hpp"
#include "record/sampler.hpp"

namespace slowburn::families {

// A live block as the recorder booked it: what its free takes back. Unsampled blocks are
// not booked (weight 0) and their frees take nothing.
struct Block {
  size_t site = 0;
  uint64_t bytes = 0;   // booked bytes (the sample weight), 0 when not sampled
  uint64_t countQ = 0;  // booked count, preload::kCountOne per allocation at face value
};

class SimulatedProgram {
 public:
  // sampleBytes: SLOWBURN_SAMPLE_BYTES (0 records every allocation); snapshots every
  // intervalS with +-5% of scheduling jitter.
  SimulatedProgram(uint64_t seed, uint64_t sampleBytes, double intervalS = 0.1);

  // A new stack at a line; returns the site index.
  size_t site(uint64_t line, uint64_t caller);

  Block alloc(size_t site, uint64_t bytes);
  void free(const Block& block);

  // The time of the next snapshot, and taking it: the allocations made since are in it.
  double nextSnapshotS() const { return m_nextS; }
  void snapshot();

  // Ends the run cleanly after the last snapshot and hands over the profile.
  analyze::Profile finish();

  std::mt19937_64& rng() { return m_rng; }
  uint64_t sampleBytes() const { return m_sampler.meanBytes(); }

 private:
  struct Books {
    uint64_t liveBytes = 0, liveCountQ = 0, allocsQ = 0, freesQ = 0, peakBytes = 0;
    bool changed = false;
  };

  std::mt19937_64 m_rng;
  preload::Sampler m_sampler;
  preload::SamplerState m_samplerState;
  double m_intervalS;
  double m_nextS;
  uint64_t m_lastNs = 0;
  std::vector<Books> m_books;
  analyze::ProfileBuilder m_builder;
};

}  // namespace slowburn::families
