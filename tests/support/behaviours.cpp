#include "support/behaviours.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace slowburn::families {
namespace {

uint64_t poisson(std::mt19937_64& rng, double mean) {
  if (!(mean > 0)) return 0;
  return std::poisson_distribution<uint64_t>(mean)(rng);
}

// The part of [from, to) inside [start, stop).
double overlap(double from, double to, double start, double stop) {
  return std::max(0.0, std::min(to, stop) - std::max(from, start));
}

class Leak : public Behaviour {
 public:
  Leak(size_t site, uint64_t block, double rate, double start, double stop)
      : m_site(site), m_block(block), m_rate(rate), m_start(start), m_stop(stop) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    const double blocks =
        m_rate / static_cast<double>(m_block) * overlap(from, to, m_start, m_stop);
    for (uint64_t n = poisson(p.rng(), blocks); n > 0; --n) p.alloc(m_site, m_block);
  }

 private:
  size_t m_site;
  uint64_t m_block;
  double m_rate, m_start, m_stop;
};

class BurstyLeak : public Behaviour {
 public:
  BurstyLeak(size_t site, double seconds, double bursts, size_t blocks, uint64_t block)
      : m_site(site), m_perS(bursts / seconds), m_blocks(blocks), m_block(block) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    for (uint64_t n = poisson(p.rng(), m_perS * (to - from)); n > 0; --n) {
      for (size_t b = 0; b < m_blocks; ++b) p.alloc(m_site, m_block);
    }
  }

 private:
  size_t m_site;
  double m_perS;
  size_t m_blocks;
  uint64_t m_block;
};

class GrowingBuffer : public Behaviour {
 public:
  GrowingBuffer(size_t site, uint64_t initial, double ratio, uint64_t chunk, double rate,
                double stop)
      : m_site(site),
        m_capacity(initial),
        m_ratio(ratio),
        m_chunk(chunk),
        m_rate(rate),
        m_stop(stop) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    if (from == 0) m_buffer = p.alloc(m_site, m_capacity);
    m_size += m_rate * overlap(from, to, 0, m_stop);
    while (m_size > static_cast<double>(m_capacity)) {
      const uint64_t next = m_ratio > 0 ? static_cast<uint64_t>(std::ceil(m_capacity * m_ratio))
                                        : m_capacity + m_chunk;
      // realloc: the new buffer is made before the old one goes.
      const Block grown = p.alloc(m_site, next);
      if (m_ratio > 0) p.free(m_buffer);
      m_buffer = grown;
      m_capacity = next;
    }
  }

 private:
  size_t m_site;
  uint64_t m_capacity;
  double m_ratio;
  uint64_t m_chunk;
  double m_rate, m_stop;
  double m_size = 0;
  Block m_buffer;
};

class TtlCache : public Behaviour {
 public:
  TtlCache(size_t site, uint64_t entry, double rate, double ttl)
      : m_site(site), m_entry(entry), m_rate(rate), m_ttl(ttl) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    std::uniform_real_distribution<double> when(from, to), size(0.75, 1.25);
    std::vector<double> times(poisson(p.rng(), m_rate * (to - from)));
    for (double& t : times) t = when(p.rng());
    std::sort(times.begin(), times.end());
    for (double t : times) {
      expire(p, t);
      const auto bytes = static_cast<uint64_t>(static_cast<double>(m_entry) * size(p.rng()));
      m_live.push_back({t + m_ttl, p.alloc(m_site, bytes)});
    }
    expire(p, to);
  }

 private:
  void expire(SimulatedProgram& p, double now) {
    while (!m_live.empty() && m_live.front().first <= now) {
      p.free(m_live.front().second);
      m_live.pop_front();
    }
  }
  size_t m_site;
  uint64_t m_entry;
  double m_rate, m_ttl;
  std::deque<std::pair<double, Block>> m_live;  // by expiry: inserted in time order
};

class RefreshedCache : public Behaviour {
 public:
  RefreshedCache(size_t fill, size_t refresh, size_t entries, uint64_t entry, double fillS,
                 double rate)
      : m_fill(fill),
        m_refresh(refresh),
        m_entries(entries),
        m_entry(entry),
        m_fillS(fillS),
        m_rate(rate) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    const auto due =
        static_cast<size_t>(std::min(1.0, to / m_fillS) * static_cast<double>(m_entries));
    while (m_live.size() < due) m_live.push_back(p.alloc(m_fill, m_entry));
    if (m_live.size() < m_entries) return;
    std::uniform_int_distribution<size_t> pick(0, m_entries - 1);
    const double refreshing = overlap(from, to, m_fillS, 1e300);
    for (uint64_t n = poisson(p.rng(), m_rate * refreshing); n > 0; --n) {
      Block& b = m_live[pick(p.rng())];
      p.free(b);
      b = p.alloc(m_refresh, m_entry);
    }
  }

 private:
  size_t m_fill, m_refresh, m_entries;
  uint64_t m_entry;
  double m_fillS, m_rate;
  std::vector<Block> m_live;
};

class Churn : public Behaviour {
 public:
  Churn(size_t site, double inFlight, uint64_t block, double pairsPerS)
      : m_site(site), m_inFlight(inFlight), m_block(block), m_pairsPerS(pairsPerS) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    for (uint64_t n = poisson(p.rng(), m_pairsPerS * (to - from)); n > 0; --n) {
      p.free(p.alloc(m_site, m_block));
    }
    for (const Block& b : m_live) p.free(b);
    m_live.resize(poisson(p.rng(), m_inFlight));
    for (Block& b : m_live) b = p.alloc(m_site, m_block);
  }

 private:
  size_t m_site;
  double m_inFlight;
  uint64_t m_block;
  double m_pairsPerS;
  std::vector<Block> m_live;
};

class Sawtooth : public Behaviour {
 public:
  Sawtooth(size_t site, uint64_t top, double perS) : m_site(site), m_top(top), m_perS(perS) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    std::uniform_real_distribution<double> phase(0, 1.2);
    for (uint64_t n = poisson(p.rng(), m_perS * (to - from)); n > 0; --n) {
      p.free(p.alloc(m_site, m_top / 2));
    }
    p.free(m_live);
    m_live = {};
    const double at = phase(p.rng());
    if (at < 1) m_live = p.alloc(m_site, std::max<uint64_t>(1, static_cast<uint64_t>(at * m_top)));
  }

 private:
  size_t m_site;
  uint64_t m_top;
  double m_perS;
  Block m_live;
};

class Queue : public Behaviour {
 public:
  Queue(size_t site, uint64_t block, double eventsPerS, size_t depth)
      : m_site(site), m_block(block), m_eventsPerS(eventsPerS), m_depth(depth) {}
  void advance(SimulatedProgram& p, double from, double to) override {
    std::bernoulli_distribution push(0.5);
    for (uint64_t n = poisson(p.rng(), m_eventsPerS * (to - from)); n > 0; --n) {
      const bool in = push(p.rng());
      if (in && m_live.size() < m_depth) {
        m_live.push_back(p.alloc(m_site, m_block));
      } else if (!in && !m_live.empty()) {
        p.free(m_live.front());
        m_live.pop_front();
      }
    }
  }

 private:
  size_t m_site;
  uint64_t m_block;
  double m_eventsPerS;
  size_t m_depth;
  std::deque<Block> m_live;
};

class WanderingPopulation : public Behaviour {
 public:
  WanderingPopulation(size_t site, uint64_t block, double stepSigma, size_t start, size_t low,
                      size_t high)
      : m_site(site),
        m_block(block),
        m_sigma(stepSigma),
        m_level(static_cast<double>(start)),
        m_low(static_cast<double>(low)),
        m_high(static_cast<double>(high)) {}
  void advance(SimulatedProgram& p, double, double) override {
    m_level += std::normal_distribution<double>(0, m_sigma)(p.rng());
    if (m_level < m_low) m_level = 2 * m_low - m_level;
    if (m_level > m_high) m_level = 2 * m_high - m_level;
    const auto want = static_cast<size_t>(std::max(0.0, std::round(m_level)));
    while (m_live.size() < want) m_live.push_back(p.alloc(m_site, m_block));
    while (m_live.size() > want) {
      p.free(m_live.back());
      m_live.pop_back();
    }
  }

 private:
  size_t m_site;
  uint64_t m_block;
  double m_sigma, m_level, m_low, m_high;
  std::vector<Block> m_live;
};

}  // namespace

std::unique_ptr<Behaviour> leak(size_t site, uint64_t block, double rate, double start,
                                double stop) {
  return std::make_unique<Leak>(site, block, rate, start, stop);
}
std::unique_ptr<Behaviour> burstyLeak(size_t site, double seconds, double bursts, size_t blocks,
                                      uint64_t block) {
  return std::make_unique<BurstyLeak>(site, seconds, bursts, blocks, block);
}
std::unique_ptr<Behaviour> growingBuffer(size_t site, uint64_t initial, double ratio,
                                         uint64_t chunk, double rate, double stop) {
  return std::make_unique<GrowingBuffer>(site, initial, ratio, chunk, rate, stop);
}
std::unique_ptr<Behaviour> ttlCache(size_t site, uint64_t entry, double rate, double ttl) {
  return std::make_unique<TtlCache>(site, entry, rate, ttl);
}
std::unique_ptr<Behaviour> refreshedCache(size_t fill, size_t refresh, size_t entries,
                                          uint64_t entry, double fillS, double rate) {
  return std::make_unique<RefreshedCache>(fill, refresh, entries, entry, fillS, rate);
}
std::unique_ptr<Behaviour> churn(size_t site, double inFlight, uint64_t block, double pairsPerS) {
  return std::make_unique<Churn>(site, inFlight, block, pairsPerS);
}
std::unique_ptr<Behaviour> sawtooth(size_t site, uint64_t top, double perS) {
  return std::make_unique<Sawtooth>(site, top, perS);
}
std::unique_ptr<Behaviour> queue(size_t site, uint64_t block, double eventsPerS, size_t depth) {
  return std::make_unique<Queue>(site, block, eventsPerS, depth);
}
std::unique_ptr<Behaviour> wanderingPopulation(size_t site, uint64_t block, double stepSigma,
                                               size_t start, size_t low, size_t high) {
  return std::make_unique<WanderingPopulation>(site, block, stepSigma, start, low, high);
}

analyze::Profile run(SimulatedProgram& program,
                     const std::vector<std::unique_ptr<Behaviour>>& behaviours, double seconds) {
  double from = 0;
  while (program.nextSnapshotS() <= seconds + 1e-9) {
    const double to = program.nextSnapshotS();
    for (const auto& b : behaviours) b->advance(program, from, to);
    program.snapshot();
    from = to;
  }
  return program.finish();
}

}  // namespace slowburn::families
