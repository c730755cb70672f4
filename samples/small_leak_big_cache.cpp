// A small leak beside a big healthy cache: ~200 MB of cache filled early and then only
// refreshed, and 48 bytes leaked every few hundred iterations. Growth must outrank size.
// Usage: small_leak_big_cache [ROUNDS] (default 400)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

constexpr int kCacheEntries = 200;
constexpr size_t kEntryBytes = 1000003;  // ~1 MB each, ~200 MB in all

char* g_cache[kCacheEntries];

[[gnu::noinline]] char* loadEntry(int key) {
  auto* entry = static_cast<char*>(std::malloc(kEntryBytes));
  std::memset(entry, key, kEntryBytes);
  return entry;
}

// The leak: an audit record nobody ever frees.
[[gnu::noinline]] void auditRequest(unsigned request) {
  auto* record = static_cast<unsigned*>(std::malloc(48));
  record[0] = request;
  escape(record);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 400;
  constexpr int kIterationsPerRound = 600;
  constexpr unsigned kLeakEvery = 300;
  const int fillRounds = rounds / 10 > 0 ? rounds / 10 : 1;
  const int perFillRound = (kCacheEntries + fillRounds - 1) / fillRounds;
  int filled = 0;
  unsigned request = 0;
  unsigned long checksum = 0;
  for (int round = 0; round < rounds; ++round) {
    // Fill early, then refresh one entry a round: the cache stays the same size. One call
    // site loads every entry, as a real cache's miss path would.
    const int loads = filled < kCacheEntries ? perFillRound : 1;
    for (int k = 0; k < loads; ++k) {
      const int slot = filled < kCacheEntries ? filled++ : round % kCacheEntries;
      std::free(g_cache[slot]);
      g_cache[slot] = loadEntry(slot);
    }
    for (int i = 0; i < kIterationsPerRound; ++i, ++request) {
      checksum += static_cast<unsigned char>(g_cache[request % filled][request % 4096]);
      if (request % kLeakEvery == 0) auditRequest(request);
    }
    usleep(10000);
  }
  for (char* entry : g_cache) std::free(entry);
  std::printf("small leak: %u requests, checksum %lu\n", request, checksum);
  return 0;
}
