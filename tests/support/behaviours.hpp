#pragma once
// What the simulated programs do, one behaviour per kind of memory: leaks, buffers that grow
// by a factor, caches, refreshes, churn, queues and wandering populations. Each advances by
// one snapshot interval at a time, allocating and freeing through a SimulatedProgram.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "support/simulated_program.hpp"

namespace slowburn::families {

class Behaviour {
 public:
  virtual ~Behaviour() = default;
  // Everything the program does in [from, to).
  virtual void advance(SimulatedProgram& program, double from, double to) = 0;
};

// Blocks of `block` bytes kept forever, arriving at random (Poisson) at `rate` bytes/s
// between `start` and `stop` seconds.
std::unique_ptr<Behaviour> leak(size_t site, uint64_t block, double rate, double start = 0,
                                double stop = 1e300);

// `bursts` bursts on average over [0, seconds), at random times, each `blocks` blocks of
// `block` bytes kept forever: a leak on a path taken now and then.
std::unique_ptr<Behaviour> burstyLeak(size_t site, double seconds, double bursts, size_t blocks,
                                      uint64_t block);

// One buffer holding what is appended to it at `rate` bytes/s until `stop`: when full it is
// replaced by one `ratio` times as large (ratio 0: one `chunk` bytes larger), as a vector,
// a string or a realloc'd array grows (geometric), or a pool adds a chunk (arithmetic).
std::unique_ptr<Behaviour> growingBuffer(size_t site, uint64_t initial, double ratio,
                                         uint64_t chunk, double rate, double stop = 1e300);

// Entries of about `entry` bytes (+-25%) inserted at random at `rate` entries/s, each freed
// `ttl` seconds after its insertion: climbs for `ttl`, then holds rate * ttl entries.
std::unique_ptr<Behaviour> ttlCache(size_t site, uint64_t entry, double rate, double ttl);

// `entries` entries of `entry` bytes filled evenly from the `fill` stack over [0, fillS),
// then refreshed in place from the `refresh` stack: `rate` times a second a random entry is
// freed and a new one allocated. The cache never changes size; the bytes change hands.
std::unique_ptr<Behaviour> refreshedCache(size_t fill, size_t refresh, size_t entries,
                                          uint64_t entry, double fillS, double rate);

// Short-lived blocks: at each snapshot a Poisson(`inFlight`) number of blocks of `block`
// bytes are live (requests being served), and `pairsPerS` more allocate-and-free pairs a
// second die between snapshots.
std::unique_ptr<Behaviour> churn(size_t site, double inFlight, uint64_t block, double pairsPerS);

// A request building a string of up to `top` bytes and freeing it, `perS` times a second:
// a snapshot finds one at a random length, or none (the fixed twin's sawtooth).
std::unique_ptr<Behaviour> sawtooth(size_t site, uint64_t top, double perS);

// A queue of `block`-byte messages, `eventsPerS` pushes or pops a second at random (even
// odds), its depth kept within [0, depth]: heavy turnover at a level that breathes.
std::unique_ptr<Behaviour> queue(size_t site, uint64_t block, double eventsPerS, size_t depth);

// A population of `block`-byte objects (sessions) whose number moves by a Gaussian step of
// `stepSigma` at each snapshot, starting at `start` and reflecting off [low, high].
std::unique_ptr<Behaviour> wanderingPopulation(size_t site, uint64_t block, double stepSigma,
                                               size_t start, size_t low, size_t high);

// Runs the behaviours for `seconds`, a snapshot every interval, and returns the profile.
analyze::Profile run(SimulatedProgram& program,
                     const std::vector<std::unique_ptr<Behaviour>>& behaviours, double seconds);

}  // namespace slowburn::families
