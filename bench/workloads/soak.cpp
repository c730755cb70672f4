// A long-running service in miniature, to produce a dump as big as a 10-minute run's for
// timing the analyzer: 64 allocation sites (slow leaks, caches that fill and plateau,
// churn, short-lived bursts) and a few syscall sites, all active every few milliseconds,
// so nearly every site changes in every snapshot.
// Usage: soak [SECONDS]   (default 60)

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace {

constexpr int kSites = 64;
constexpr int kSlots = 64;  // per churning site
constexpr long kTickNs = 2'000'000;

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// Each instantiation's own constant keeps GCC's identical-code folding (-fipa-icf) from
// merging them: one distinct call site per Site.
volatile int s_trail;

template <int Site>
[[gnu::noinline]] void* allocateAt(size_t size) {
  s_trail = Site;
  void* p = std::malloc(size);
  escape(p);
  return p;
}

template <int Channel>
[[gnu::noinline]] void writeAt(int fd, const char* data, size_t size) {
  s_trail = 1000 + Channel;
  if (write(fd, data, size) < 0) std::abort();
}

using AllocateFn = void* (*)(size_t);

template <size_t... I>
constexpr std::array<AllocateFn, sizeof...(I)> makeTable(std::index_sequence<I...>) {
  return {allocateAt<static_cast<int>(I)>...};
}

constexpr auto kAllocators = makeTable(std::make_index_sequence<kSites>{});

enum class Shape { Leak, Plateau, Churn, Burst };

// A quarter of the sites each: the analyzer sees every class it must tell apart.
Shape shapeOf(int site) { return static_cast<Shape>(site % 4); }

uint64_t nextRandom(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

long nowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000L + ts.tv_nsec;
}

struct SiteState {
  std::vector<void*> kept;  // leaks and caches
  void* slots[kSlots] = {};
};

void tick(int site, SiteState& s, long tickIndex, uint64_t& rng) {
  const AllocateFn allocate = kAllocators[site];
  switch (shapeOf(site)) {
    case Shape::Leak:
      // ~64 B per tick: a slow creep, a few MiB over a minute
      if (tickIndex % 2 == 0) s.kept.push_back(allocate(16 + nextRandom(rng) % 97));
      break;
    case Shape::Plateau:
      // fills for the first ~10 s, then replaces entries at a constant size
      if (s.kept.size() < 2000) {
        s.kept.push_back(allocate(256));
      } else {
        const size_t i = nextRandom(rng) % s.kept.size();
        std::free(s.kept[i]);
        s.kept[i] = allocate(256);
      }
      break;
    case Shape::Churn:
      for (int k = 0; k < 4; ++k) {
        const size_t i = nextRandom(rng) % kSlots;
        std::free(s.slots[i]);
        s.slots[i] = allocate(16 + nextRandom(rng) % 4081);
      }
      break;
    case Shape::Burst: {
      void* p = allocate(512 + nextRandom(rng) % 512);
      std::free(p);
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
  if (seconds <= 0) {
    std::fprintf(stderr, "usage: soak [SECONDS]\n");
    return 2;
  }
  const int devNull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devNull < 0) return 1;
  static SiteState states[kSites];
  uint64_t rng = 0x2545F4914F6CDD1Dull;
  const char payload[64] = {};
  const long start = nowNs();
  const long end = start + static_cast<long>(seconds * 1e9);
  long next = start;
  for (long t = 0; nowNs() < end; ++t) {
    for (int site = 0; site < kSites; ++site) tick(site, states[site], t, rng);
    writeAt<0>(devNull, payload, 16);
    writeAt<1>(devNull, payload, 64);
    next += kTickNs;
    const long wait = next - nowNs();
    if (wait > 0) {
      const timespec ts{wait / 1'000'000'000L, wait % 1'000'000'000L};
      nanosleep(&ts, nullptr);
    }
  }
  close(devNull);
  for (SiteState& s : states) {
    for (void* p : s.kept) std::free(p);
    for (void* p : s.slots) std::free(p);
  }
  return 0;
}
