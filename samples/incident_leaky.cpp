// The SPEC's incident: a request handler reads each request 1 KiB at a time and keeps a copy
// of every body in a global cache that is never evicted. Beside it runs healthy churn.
// Usage: incident_leaky [REQUESTS]   (default 600, about 4 s)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr size_t kRequestBytes = 60 * 1024;  // fits a default 64 KiB pipe: no feeder thread

// Keeps the compiler from proving an allocation unused and deleting it.
void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// Writes one request into the pipe and closes it, so the handler reads to EOF.
void feedRequest(int fd, int request) {
  static char body[kRequestBytes];
  std::memset(body, 'a' + request % 26, sizeof body);
  if (write(fd, body, sizeof body) != static_cast<ssize_t>(sizeof body)) std::abort();
  close(fd);
}

// Healthy traffic: a response buffer built and thrown away per request.
[[gnu::noinline]] size_t respond(int request) {
  std::vector<char> response(3000 + request % 97, 'r');
  escape(response.data());
  return response.size();
}

}  // namespace

std::vector<std::string> cache;  // global, never evicted: grows forever

[[gnu::noinline]] void handle(int fd) {
  std::string data;
  char buf[1025];
  ssize_t n;
  while ((n = read(fd, buf, 1024)) > 0) {
    buf[n] = '\0';
    data += std::string(buf);
  }
  cache.push_back(data);  // the leak: every request body stays in the cache
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
