#pragma once
// Poisson sampling by bytes, as in tcmalloc and jemalloc.
//
// Picture every allocated byte as a Bernoulli trial with rate 1/R (R = mean bytes between
// samples). The gaps between sampled bytes are then exponential with mean R, so each
// thread keeps a countdown drawn from Exp(1/R) and samples the allocation that crosses it.
// An allocation of s bytes is sampled with probability p(s) = 1 - exp(-s/R), independent
// of what came before (memorylessness). Weighting a sampled allocation by 1/p(s) makes
// the estimates unbiased (Horvitz-Thompson):
//     E[ sum over sampled of s / p(s) ] = sum over all of s,
// so a sampled block stands for s / p(s) bytes and 1 / p(s) allocations. For s >> R,
// p(s) -> 1 and the block stands for itself; for s << R it stands for about R bytes.
// (What p is computed from is the block's charge, a byte more than s: see chargedBytes.)
// R = 0 turns sampling off: every allocation is recorded with weight 1.

#include <cstdint>

namespace slowburn::preload {

// What a block of `size` bytes is charged against the countdown, and so what its
// probability and weight are computed from: one byte more than its size, one instruction
// that also lets a block of nothing be sampled. Every use goes through here.
inline uint64_t chargedBytes(uint64_t size) { return size + 1; }

struct SamplerState {
  int64_t bytesUntilSample = 0;
  uint64_t rng = 0;  // 0 = not seeded yet
};

class Sampler {
 public:
  explicit Sampler(uint64_t meanBytes = 0) : m_mean(meanBytes) {}

  bool enabled() const { return m_mean != 0; }
  uint64_t meanBytes() const { return m_mean; }

  // Whether this allocation is recorded; cheap when it is not.
  bool shouldSample(SamplerState& state, uint64_t size) const {
    return countdownRanOut(state, size) && crossed(state, size);
  }

  // The first half of shouldSample, all of it inline: false means "not recorded"; true
  // means ask crossed() (always, in exact mode).
  bool countdownRanOut(SamplerState& state, uint64_t size) const {
    return m_mean == 0 || countDown(state, size);
  }

  // countdownRanOut where sampling is known to be on.
  static bool countDown(SamplerState& state, uint64_t size) {
    state.bytesUntilSample -= static_cast<int64_t>(chargedBytes(size));
    return state.bytesUntilSample <= 0;
  }

  // The countdown ran out: draws the next gap (true in exact mode). A state never seeded
  // first draws its initial gap and charges this allocation against it.
  bool crossed(SamplerState& state, uint64_t size) const {
    return m_mean == 0 || crossedSlow(state, size);
  }

  // Seeds the generator (0 picks a time-based seed) and draws the first gap.
  void seed(SamplerState& state, uint64_t seed) const;

 private:
  bool crossedSlow(SamplerState& state, uint64_t size) const;
  int64_t drawGap(SamplerState& state) const;

  uint64_t m_mean;
};

// Counts are fixed point (kCountOne per allocation) so sampled weights add up exactly.
inline constexpr uint64_t kCountOne = uint64_t{1} << 16;

// What one recorded block of `size` bytes stands for, in whole bytes and in kCountOne
// fixed-point allocations. Deterministic in size, so the free subtracts what the alloc
// added and live totals return exactly to zero.
struct SampleWeight {
  uint64_t bytes;
  uint64_t countQ;
};
SampleWeight sampleWeight(uint64_t size, uint64_t meanBytes);

}  // namespace slowburn::preload
