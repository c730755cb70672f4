#include "record/sampler.hpp"

#include <cmath>

#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// xorshift64*: tiny state, good enough for sampling gaps.
uint64_t nextRandom(uint64_t& s) {
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545F4914F6CDD1Dull;
}

}  // namespace

void Sampler::seed(SamplerState& state, uint64_t seed) const {
  const uint64_t s = splitmix(seed == 0 ? raw::monotonicNs() : seed);
  state.rng = s == 0 ? 1 : s;
  state.bytesUntilSample = m_mean == 0 ? 0 : drawGap(state);
}

int64_t Sampler::drawGap(SamplerState& state) const {
  // 53 random bits -> u in (0, 1]; -ln(u) * R is Exp(1/R).
  const double u = static_cast<double>((nextRandom(state.rng) >> 11) + 1) * 0x1.0p-53;
  const double gap = -std::log(u) * static_cast<double>(m_mean);
  return gap >= 9.0e18 ? INT64_MAX : static_cast<int64_t>(gap) + 1;
}

bool Sampler::crossedSlow(SamplerState& state, uint64_t size) const {
  if (state.rng == 0) {
    seed(state, reinterpret_cast<uintptr_t>(&state) ^ raw::monotonicNs());
    state.bytesUntilSample -= static_cast<int64_t>(chargedBytes(size));
    if (state.bytesUntilSample > 0) return false;
  }
  state.bytesUntilSample = drawGap(state);
  return true;
}

SampleWeight sampleWeight(uint64_t size, uint64_t meanBytes) {
  if (meanBytes == 0) return {size, kCountOne};
  const double s = static_cast<double>(chargedBytes(size));
  // expm1 keeps precision when s << R, where 1 - exp(-s/R) would cancel.
  const double p = -std::expm1(-s / static_cast<double>(meanBytes));
  const double scale = 1.0 / p;
  return {static_cast<uint64_t>(std::llround(static_cast<double>(size) * scale)),
          static_cast<uint64_t>(std::llround(scale * static_cast<double>(kCountOne)))};
}

}  // namespace slowburn::preload
