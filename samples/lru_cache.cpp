// A bounded LRU cache: it warms up over the first quarter of the run, as a real cache does
// over many requests, then every miss evicts the least recently used entry, so live bytes
// plateau. Usage: lru_cache [ROUNDS] (default 400, about 4 s)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <list>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

class LruCache {
 public:
  explicit LruCache(size_t capacity) : m_capacity(capacity) {}

  // Returns the cached value, loading and inserting it on a miss.
  const std::string& get(int key) {
    if (auto it = m_index.find(key); it != m_index.end()) {
      m_order.splice(m_order.begin(), m_order, it->second);
      return it->second->second;
    }
    if (m_index.size() >= m_capacity) {
      m_index.erase(m_order.back().first);
      m_order.pop_back();
    }
    m_order.emplace_front(key, load(key));
    m_index[key] = m_order.begin();
    return m_order.front().second;
  }

  size_t size() const { return m_index.size(); }

 private:
  [[gnu::noinline]] static std::string load(int key) {
    return std::string(4001, static_cast<char>('a' + key % 26));
  }

  size_t m_capacity;
  std::list<std::pair<int, std::string>> m_order;
  std::unordered_map<int, std::list<std::pair<int, std::string>>::iterator> m_index;
};

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 400;
  constexpr size_t kCapacity = 2000;
  constexpr int kOpsPerRound = 100;
  const int fillRounds = rounds / 4 > 0 ? rounds / 4 : 1;
  LruCache cache(kCapacity);
  std::mt19937 rng(42);
  int nextKey = 0;
  size_t checksum = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int op = 0; op < kOpsPerRound; ++op) {
      int key;
      if (round < fillRounds) {
        // Warm-up: a few new keys a round among hits on the known ones, so the cache is full
        // exactly when it ends.
        const int known = static_cast<int>((round + 1) * kCapacity / fillRounds);
        key = nextKey < known ? nextKey++ : static_cast<int>(rng() % (nextKey > 0 ? nextKey : 1));
      } else {
        key = static_cast<int>(rng() % (3 * kCapacity));
      }
      const std::string& value = cache.get(key);
      escape(value.data());
      checksum += static_cast<unsigned char>(value[0]);
    }
    usleep(10000);
  }
  std::printf("lru: %zu entries, checksum %zu\n", cache.size(), checksum);
  return 0;
}
