// A service whose state lives in a local of main, as most do: a Server object owning a
// request trace that only grows (the leak) and a bounded cache that fills in the first
// third of the run and then evicts one entry for each it adds. When main returns, the
// Server is destroyed before the exit's teardown, so the last snapshot sees both freed.
// Usage: local_owner [seconds]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <unordered_map>

namespace {

class Server {
 public:
  void serve(unsigned long request) {
    trace_ +=
        "request " + std::to_string(request) + " served from /api/items?expand=all\n";  // LEAK
    const unsigned key = static_cast<unsigned>(request * 2654435761u % 100000u);
    if (cache_.size() >= kCacheEntries) cache_.erase(cache_.begin());
    cache_[key] = std::string(900 + key % 200, 'x');  // CACHE
  }
  size_t held() const { return trace_.size() + cache_.size(); }

 private:
  static constexpr size_t kCacheEntries = 3000;
  std::string trace_;
  std::unordered_map<unsigned, std::string> cache_;
};

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.5;
  const double requestsPerSecond = 3000 / (seconds / 3);  // the cache is full at a third
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Server server;
  unsigned long served = 0;
  for (;;) {
    const double t = std::chrono::duration<double>(Clock::now() - start).count();
    if (t >= seconds) break;
    for (; served < static_cast<unsigned long>(t * requestsPerSecond); ++served)
      server.serve(served);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::printf("served %lu, held %zu\n", served, server.held());
}  // server is destroyed here, before the exit's teardown
