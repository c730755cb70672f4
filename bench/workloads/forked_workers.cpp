// A pre-forking server in miniature: the parent forks workers, each of which handles its
// share of requests on its own heap (parsing, a per-worker cache, responses) and exits;
// two waves of four workers. The allocating happens in the children.
// Usage: forked_workers [REQUESTS_PER_WORKER]   (default 250000)

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kWaves = 2;
constexpr int kWorkersPerWave = 4;

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

struct Response {
  int status;
  std::string body;
};

[[gnu::noinline]] std::vector<std::string> parse(const std::string& request) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= request.size(); ++i) {
    if (i == request.size() || request[i] == '/') {
      parts.emplace_back(request, start, i - start);
      start = i + 1;
    }
  }
  return parts;
}

[[gnu::noinline]] Response* respond(const std::vector<std::string>& parts, unsigned long n) {
  auto* r = new Response;
  r->status = 200;
  for (const std::string& p : parts) r->body += p + ",";
  r->body.append(n % 700, 'x');
  return r;
}

int work(int worker, long requests) {
  std::unordered_map<std::string, std::string> cache;  // bounded by the key space
  unsigned long checksum = 0;
  for (long i = 0; i < requests; ++i) {
    const unsigned long key = (i * 2654435761ul + worker) % 5000;
    const std::string request = "/api/v1/items/" + std::to_string(key) + "/detail";
    auto hit = cache.find(request);
    if (hit == cache.end()) {
      Response* r = respond(parse(request), i);
      hit = cache.emplace(request, r->body).first;
      delete r;
    }
    checksum += hit->second.size();
    if (i % 1000 == 999) cache.clear();
  }
  escape(&checksum);
  return static_cast<int>(checksum & 1);
}

}  // namespace

int main(int argc, char** argv) {
  const long requests = argc > 1 ? std::atol(argv[1]) : 250000;
  if (requests <= 0) {
    std::fprintf(stderr, "usage: forked_workers [REQUESTS_PER_WORKER]\n");
    return 2;
  }
  int failed = 0;
  for (int wave = 0; wave < kWaves; ++wave) {
    pid_t pids[kWorkersPerWave];
    for (int w = 0; w < kWorkersPerWave; ++w) {
      pids[w] = fork();
      if (pids[w] < 0) {
        std::perror("forked_workers: fork");
        return 1;
      }
      if (pids[w] == 0) {
        work(wave * kWorkersPerWave + w, requests);
        std::exit(0);
      }
    }
    for (pid_t pid : pids) {
      int status = 0;
      if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        ++failed;
    }
  }
  std::printf("forked_workers: %d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
