#include "support/families.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <utility>

#include "fmt/format.h"
#include "rank/analysis.hpp"
#include "support/behaviours.hpp"

namespace slowburn::families {
namespace {

constexpr uint64_t kKiB = 1024, kMiB = 1024 * 1024;
constexpr double kRun = 20;  // seconds: 200 snapshots at the default 100 ms
// SLOWBURN_SAMPLE_BYTES of the production mode.
constexpr uint64_t kSampled = 512 * kKiB;

// A program being put together: its sites, what they do, and which of them leak.
class Program {
 public:
  Program(uint64_t seed, uint64_t sampleBytes = 0) : m_program(seed, sampleBytes) {}

  // Stack `caller` of program line `line`: stacks of one line share its address.
  size_t site(uint64_t line, uint64_t caller = 0) {
    return m_program.site(0x401000 + 0x40 * line, 0x480000 + 0x1000 * line + 0x40 * caller);
  }
  Program& with(std::unique_ptr<Behaviour> b) {
    m_behaviours.push_back(std::move(b));
    return *this;
  }
  Program& leaking(size_t site) {
    m_leaks.push_back(site);
    return *this;
  }
  std::mt19937_64& rng() { return m_program.rng(); }
  Run run(double seconds) { return {families::run(m_program, m_behaviours, seconds), m_leaks}; }

 private:
  SimulatedProgram m_program;
  std::vector<std::unique_ptr<Behaviour>> m_behaviours;
  std::vector<size_t> m_leaks;
};

std::string bytes(double b) {
  if (b >= kMiB) return fmt::format("{:g} MiB", b / kMiB);
  if (b >= kKiB) return fmt::format("{:g} KiB", b / kKiB);
  return fmt::format("{:g} B", b);
}

// Leaks of 1 KiB blocks at several rates, beside a TTL cache filled in the first 20% and
// a churning line.
void leakRate(std::vector<Variant>& out) {
  for (double rate : {100.0, 250.0, 500.0, 1000.0, 10240.0}) {
    out.push_back({"leak rate", fmt::format("{}/s in 1 KiB blocks, 20 s", bytes(rate)), true,
                   [rate](uint64_t seed) {
                     Program p(seed);
                     const size_t leak = p.site(1);
                     p.leaking(leak).with(families::leak(leak, kKiB, rate));
                     p.with(ttlCache(p.site(2), 4 * kKiB, 1024, 0.2 * kRun));
                     p.with(churn(p.site(3), 32, 2 * kKiB, 1000));
                     return p.run(kRun);
                   }});
  }
}

// A leak at a line that also churns: the leak's climb over the run, in sigmas of the
// churn's white noise (Poisson(16) blocks of 4 KiB in flight: sigma 16 KiB).
void noise(std::vector<Variant>& out) {
  for (double k : {0.0, 3.0, 5.0, 10.0, 20.0}) {
    const double rate = k * 16 * kKiB / kRun;
    out.push_back({"noise",
                   k == 0 ? std::string("churn alone, 20 s")
                          : fmt::format("leak rising {:g} sigma of churn, 20 s", k),
                   k > 0, [k, rate](uint64_t seed) {
                     Program p(seed);
                     const size_t churning = p.site(1, 0), leaking = p.site(1, 1);
                     p.with(churn(churning, 16, 4 * kKiB, 500));
                     if (k > 0) p.leaking(leaking).with(leak(leaking, 64, rate));
                     return p.run(kRun);
                   }});
  }
}

// A leak that starts late, at a line whose other stack is a 64 KiB sawtooth.
void onset(std::vector<Variant>& out) {
  const std::pair<double, double> cases[] = {
      {0.5, 100 * kKiB}, {0.5, 50 * kKiB}, {0.5, 25 * kKiB}, {0.75, 100 * kKiB}, {0.9, 100 * kKiB}};
  for (const auto& [from, rate] : cases) {
    out.push_back(
        {"onset",
         fmt::format("from {:g}% at {}/s under a 64 KiB sawtooth, 20 s", 100 * from, bytes(rate)),
         true, [from, rate](uint64_t seed) {
           Program p(seed);
           const size_t request = p.site(1, 0), leaking = p.site(1, 1);
           p.with(sawtooth(request, 64 * kKiB, 200));
           p.leaking(leaking).with(leak(leaking, kKiB, rate, from * kRun));
           return p.run(kRun);
         }});
  }
}

// The append rate that fills `ratio`^(steps + u) times the initial capacity in the run: the
// run ends at a random phase of the staircase.
double appendRate(double initial, double ratio, double steps, std::mt19937_64& rng) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  return initial * std::pow(ratio, steps + u) / kRun;
}

// When appends at `rate` stop right after the last step whose successor was due by `dueBy`:
// the next step was due and never came.
double stopAfterDueStep(double initial, double ratio, double rate, double dueBy) {
  double capacity = initial, stop = 0;
  for (;;) {
    const double next = std::ceil(capacity * ratio);
    if (next / rate > dueBy) return stop;
    stop = capacity / rate + 0.05;  // it stepped to `next` when the size passed `capacity`
    capacity = next;
  }
}

// Buffers that grow by a factor (and a pool by chunks), appended to until the end or
// stopped with the next step overdue; leaks that come in bursts.
void staircase(std::vector<Variant>& out) {
  struct Case {
    double ratio;
    double steps;
    bool stops;
  };
  for (const Case c :
       {Case{2, 10, false}, Case{1.5, 14, false}, Case{2, 10, true}, Case{1.5, 14, true}}) {
    out.push_back(
        {"staircase",
         c.stops ? fmt::format("x{:g} buffer, appends stop; next step due by 70%, 20 s", c.ratio)
                 : fmt::format("x{:g} buffer appended to until the end, 20 s", c.ratio),
         !c.stops, [c](uint64_t seed) {
           Program p(seed);
           const size_t buffer = p.site(1);
           const double initial = kKiB;
           const double rate = appendRate(initial, c.ratio, c.steps, p.rng());
           const double stop =
               c.stops ? stopAfterDueStep(initial, c.ratio, rate, 0.7 * kRun) : 1e300;
           p.with(growingBuffer(buffer, kKiB, c.ratio, 0, rate, stop));
           if (!c.stops) p.leaking(buffer);
           p.with(churn(p.site(2), 32, 2 * kKiB, 1000));
           return p.run(kRun);
         }});
  }
  out.push_back(
      {"staircase", "pool adding 64 KiB chunks, ~6 in the run, 20 s", true, [](uint64_t seed) {
         Program p(seed);
         const size_t pool = p.site(1);
         const double rate =
             64 * kKiB * (5.5 + std::uniform_real_distribution<double>(0, 1)(p.rng())) / kRun;
         p.leaking(pool).with(growingBuffer(pool, 64 * kKiB, 0, 64 * kKiB, rate));
         p.with(churn(p.site(2), 32, 2 * kKiB, 1000));
         return p.run(kRun);
       }});
  for (double bursts : {3.0, 5.0, 10.0}) {
    out.push_back({"staircase",
                   fmt::format("bursts of 100 x 1 KiB at random, {:g} on average, 20 s", bursts),
                   true, [bursts](uint64_t seed) {
                     Program p(seed);
                     const size_t leaking = p.site(1);
                     p.leaking(leaking).with(burstyLeak(leaking, kRun, bursts, 100, kKiB));
                     p.with(churn(p.site(2), 32, 2 * kKiB, 1000));
                     return p.run(kRun);
                   }});
  }
}

// A TTL cache (entries live for a fraction of the run: a linear fill, then flat) beside a
// small leak (48 B every ~0.3 s); and a big one, sampled, alone.
void cacheFill(std::vector<Variant>& out) {
  for (double fill : {0.2, 0.35, 0.5, 0.65, 0.8, 1.0}) {
    out.push_back(
        {"cache fill",
         fmt::format("16 MiB TTL cache filled over {:g}% beside a 160 B/s leak, 20 s", 100 * fill),
         true, [fill](uint64_t seed) {
           Program p(seed);
           const size_t cache = p.site(1), leaking = p.site(2);
           p.with(ttlCache(cache, 4 * kKiB, 4096 / (fill * kRun), fill * kRun));
           p.leaking(leaking).with(leak(leaking, 48, 160));
           return p.run(kRun);
         }});
  }
  out.push_back(
      {"cache fill", "240 MiB TTL cache filled over 35%, sampled, 20 s", false, [](uint64_t seed) {
         Program p(seed, kSampled);
         const double ttl = 0.35 * kRun;
         p.with(ttlCache(p.site(1), 64 * kKiB, 3840 / ttl, ttl));
         return p.run(kRun);
       }});
}

// A cache filled in the first 10% from one stack and refreshed in place from another (of
// the same line or of another), at random entries with a time constant of a share of the
// run; beside a leak.
void refresh(std::vector<Variant>& out) {
  struct Case {
    bool sameLine;
    double tau;
    bool sampled;
  };
  for (const Case c : {Case{true, 0.5, false}, Case{false, 0.25, false}, Case{false, 0.5, false},
                       Case{false, 1.0, false}, Case{false, 0.5, true}}) {
    const uint64_t entry = c.sampled ? 256 * kKiB : 16 * kKiB;
    const double leakRate = c.sampled ? 2.0 * kMiB : 4.0 * kKiB;
    out.push_back(
        {"refresh",
         fmt::format("{} cache refreshed from {}, tau {:g}% of the run, beside a {}/s leak{}",
                     bytes(2000.0 * entry), c.sameLine ? "the same line" : "another line",
                     100 * c.tau, bytes(leakRate), c.sampled ? ", sampled" : ""),
         true, [c, entry, leakRate](uint64_t seed) {
           Program p(seed, c.sampled ? kSampled : 0);
           const size_t fill = p.site(1, 0), again = c.sameLine ? p.site(1, 1) : p.site(2);
           p.with(refreshedCache(fill, again, 2000, entry, 0.1 * kRun, 2000 / (c.tau * kRun)));
           const size_t leaking = p.site(3);
           p.leaking(leaking).with(leak(leaking, c.sampled ? 4 * kKiB : kKiB, leakRate));
           return p.run(kRun);
         }});
  }
}

// A queue under heavy turnover (20000 pushes or pops a second) whose depth breathes within
// a bound, alone in a 10 s run.
void queueDepth(std::vector<Variant>& out) {
  for (size_t depth : {12, 64, 256, 1024}) {
    out.push_back({"queue", fmt::format("depth <= {} x 128 B, 20000 events/s, 10 s", depth), false,
                   [depth](uint64_t seed) {
                     Program p(seed);
                     p.with(queue(p.site(1), 128, 20000, depth));
                     return p.run(10);
                   }});
  }
  out.push_back(
      {"queue", "depth <= 1024 x 128 B, 20000 events/s, sampled, 10 s", false, [](uint64_t seed) {
         Program p(seed, kSampled);
         p.with(queue(p.site(1), 128, 20000, 1024));
         return p.run(10);
       }});
}

// Populations of 4 KiB objects that wander by 4 a snapshot: free, or within a band; and
// white noise.
void walks(std::vector<Variant>& out) {
  for (double seconds : {5.0, 20.0, 60.0}) {
    out.push_back(
        {"walk", fmt::format("free random walk, {:g} s", seconds), false, [seconds](uint64_t seed) {
           Program p(seed);
           p.with(wanderingPopulation(p.site(1), 4 * kKiB, 4, 1000, 0, 1u << 30));
           return p.run(seconds);
         }});
  }
  for (size_t band : {40, 80}) {
    out.push_back(
        {"walk", fmt::format("walk within a band of {} sigma, 20 s", band / 4), false,
         [band](uint64_t seed) {
           Program p(seed);
           p.with(wanderingPopulation(p.site(1), 4 * kKiB, 4, 500, 500 - band / 2, 500 + band / 2));
           return p.run(kRun);
         }});
  }
  out.push_back(
      {"walk", "white noise (Poisson(100) blocks in flight), 20 s", false, [](uint64_t seed) {
         Program p(seed);
         p.with(churn(p.site(1), 100, 4 * kKiB, 0));
         return p.run(kRun);
       }});
}

// SLOWBURN_SAMPLE_BYTES=524288 over 10 minutes at 100 ms: leaks of 256 B blocks beside a
// 64 MiB TTL cache filled in the first 20% and a churning line.
void sampling(std::vector<Variant>& out) {
  for (double kib : {0.0, 4.0, 8.0, 16.0, 24.0, 32.0, 40.0, 48.0, 56.0, 64.0, 96.0}) {
    out.push_back(
        {"sampling",
         kib == 0 ? std::string("no leak, sampled 512 KiB, 10 min")
                  : fmt::format("{}/s in 256 B blocks, sampled 512 KiB, 10 min", bytes(kib * kKiB)),
         kib > 0, [kib](uint64_t seed) {
           Program p(seed, kSampled);
           constexpr double kTen = 600;
           p.with(ttlCache(p.site(1), 64 * kKiB, 1024 / (0.2 * kTen), 0.2 * kTen));
           p.with(churn(p.site(2), 64, 4 * kKiB, 100));
           if (kib > 0) {
             const size_t leaking = p.site(3);
             p.leaking(leaking).with(leak(leaking, 256, kib * kKiB));
           }
           return p.run(kTen);
         }});
  }
}

}  // namespace

Outcome judge(Run run) {
  const std::unique_ptr<const analyze::Analysis> analysis =
      analyze::analyzeProfile(std::move(run.profile), {});
  Outcome o;
  for (const analyze::RankedSite& r : analysis->sites()) {
    const bool leaks = std::any_of(r.sites.begin(), r.sites.end(), [&](size_t s) {
      return std::find(run.leakSites.begin(), run.leakSites.end(), s) != run.leakSites.end();
    });
    const bool growing = r.verdict.cls == analyze::SiteClass::Growing;
    if (leaks) {
      o.detected = growing && r.rank == 1;
    } else if (growing) {
      o.falseAlarm = true;
    }
  }
  return o;
}

Rates measure(const Variant& variant, size_t seeds, uint64_t firstSeed) {
  Rates r;
  for (uint64_t seed = firstSeed; seed < firstSeed + seeds; ++seed) {
    const Outcome o = judge(variant.make(seed));
    ++r.seeds;
    r.detected += o.detected;
    r.falseAlarms += o.falseAlarm;
  }
  return r;
}

std::vector<Variant> allVariants() {
  std::vector<Variant> out;
  for (auto add :
       {leakRate, noise, onset, staircase, cacheFill, refresh, queueDepth, walks, sampling}) {
    add(out);
  }
  return out;
}

std::vector<Variant> familyVariants(const std::string& family) {
  std::vector<Variant> out;
  for (Variant& v : allVariants()) {
    if (v.family == family) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace slowburn::families
