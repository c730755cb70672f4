// The incident's fixed twin: the same handler, but the cache keeps only the newest bodies.
// Usage: incident_fixed [REQUESTS]   (default 600, about 4 s)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr size_t kRequestBytes = 60 * 1024;  // fits a default 64 KiB pipe: no feeder thread
constexpr size_t kMaxCached = 32;            // the fix: a bounded cache

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

void feedRequest(int fd, int request) {
  static char body[kRequestBytes];
  std::memset(body, 'a' + request % 26, sizeof body);
  if (write(fd, body, sizeof body) != static_cast<ssize_t>(sizeof body)) std::abort();
  close(fd);
}

[[gnu::noinline]] size_t respond(int request) {
  std::vector<char> response(3000 + request % 97, 'r');
  escape(response.data());
  return response.size();
}

}  // namespace

std::vector<std::string> cache;  // global, bounded to kMaxCached entries

[[gnu::noinline]] void handle(int fd) {
  std::string data;
  char buf[1025];
  ssize_t n;
  while ((n = read(fd, buf, 1024)) > 0) {
    buf[n] = '\0';
    data += std::string(buf);
  }
  if (cache.size() >= kMaxCached) cache.erase(cache.begin());  // evict the oldest
  cache.push_back(data);
}

int main(int argc, char** argv) {
  const int requests = argc > 1 ? std::atoi(argv[1]) : 600;
  size_t sent = 0;
  for (int i = 0; i < requests; ++i) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    feedRequest(fds[1], i);
    handle(fds[0]);
    close(fds[0]);
    sent += respond(i);
    usleep(5000);
  }
  std::printf("handled %d requests, cached %zu, sent %zu bytes\n", requests, cache.size(), sent);
  return 0;
}
