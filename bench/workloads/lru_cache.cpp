// A bounded LRU cache in front of a slow "backend": a skewed stream of keys, misses load
// a value of 200..2200 bytes and evict the least recently used entry once the cache holds
// its capacity. Memory grows while the cache fills, then plateaus.
// Usage: lru_cache [REQUESTS]   (default 1500000)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <string>
#include <unordered_map>

namespace {

constexpr size_t kCapacity = 80000;

uint64_t nextRandom(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

[[gnu::noinline]] std::string fetchFromBackend(uint64_t key) {
  std::string value(200 + key % 2000, static_cast<char>('a' + key % 26));
  value.replace(0, 8, std::to_string(key % 100000000));
  return value;
}

class Lru {
 public:
  const std::string& get(uint64_t key) {
    auto it = m_index.find(key);
    if (it != m_index.end()) {
      m_order.splice(m_order.begin(), m_order, it->second);
      return it->second->second;
    }
    if (m_index.size() >= kCapacity) {
      m_index.erase(m_order.back().first);
      m_order.pop_back();
    }
    m_order.emplace_front(key, fetchFromBackend(key));
    m_index.emplace(key, m_order.begin());
    return m_order.front().second;
  }
  size_t size() const { return m_index.size(); }

 private:
  std::list<std::pair<uint64_t, std::string>> m_order;
  std::unordered_map<uint64_t, std::list<std::pair<uint64_t, std::string>>::iterator> m_index;
};

}  // namespace

int main(int argc, char** argv) {
  const long requests = argc > 1 ? std::atol(argv[1]) : 1500000;
  if (requests <= 0) {
    std::fprintf(stderr, "usage: lru_cache [REQUESTS]\n");
    return 2;
  }
  Lru cache;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  uint64_t sum = 0;
  for (long i = 0; i < requests; ++i) {
    const uint64_t r = nextRandom(state);
    // Skewed: most requests go to a hot quarter of a key space twice the capacity.
    const uint64_t key = (r & 3) != 0 ? (r >> 8) % (kCapacity / 2) : (r >> 8) % (kCapacity * 2);
    sum += cache.get(key).size();
  }
  std::printf("lru_cache: %zu entries, %llu\n", cache.size(), static_cast<unsigned long long>(sum));
  return 0;
}
