// A cache whose entries are refreshed rather than evicted: every request looks an entry
// up, and a tenth of them replace theirs with a fresh copy built on another code path
// (the "refresh"), freeing the old one. Live memory stays flat; blocks change hands
// between the load path and the refresh path all the time.
// Usage: refresh_cache [REQUESTS]   (default 1500000)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr uint32_t kEntries = 60000;

struct Entry {
  std::string name;
  std::vector<uint32_t> values;
  uint64_t version;
};

uint64_t nextRandom(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

[[gnu::noinline]] std::unique_ptr<Entry> load(uint32_t key) {
  auto e = std::make_unique<Entry>();
  e->name = "entry-" + std::to_string(key);
  e->values.assign(16 + key % 200, key);
  e->version = 0;
  return e;
}

[[gnu::noinline]] std::unique_ptr<Entry> refresh(const Entry& old) {
  auto e = std::make_unique<Entry>();
  e->name = old.name;
  e->values = old.values;
  e->values[0] += 1;
  e->version = old.version + 1;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  const long requests = argc > 1 ? std::atol(argv[1]) : 1500000;
  if (requests <= 0) {
    std::fprintf(stderr, "usage: refresh_cache [REQUESTS]\n");
    return 2;
  }
  std::unordered_map<uint32_t, std::unique_ptr<Entry>> cache;
  uint64_t state = 0x2545F4914F6CDD1Dull;
  uint64_t sum = 0;
  for (long i = 0; i < requests; ++i) {
    const uint64_t r = nextRandom(state);
    const auto key = static_cast<uint32_t>(r % kEntries);
    auto& slot = cache[key];
    if (!slot) {
      slot = load(key);
    } else if ((r >> 32) % 10 == 0) {
      slot = refresh(*slot);
    }
    sum += slot->values.size() + slot->version;
  }
  std::printf("refresh_cache: %zu entries, %llu\n", cache.size(),
              static_cast<unsigned long long>(sum));
  return 0;
}
