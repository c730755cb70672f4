// One helper allocates for two callers: a request handler that frees its buffer at once
// (heavy churn) and an auditor that keeps every buffer it gets (a leak). Both allocate at
// the helper's line; the report must name the auditor's stack as the one that grows.
// Usage: shared_helper [SECONDS]   (default 4 s)

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<char*> auditTrail;

[[gnu::noinline]] char* makeBuffer(size_t bytes) {
  char* buffer = static_cast<char*>(std::malloc(bytes));  // the shared line
  std::memset(buffer, 0, bytes);
  return buffer;
}

[[gnu::noinline]] void handleRequest(size_t request) {
  char* scratch = makeBuffer(4096 + request % 512);  // churn: freed at once
  escape(scratch);
  std::free(scratch);
}

[[gnu::noinline]] void audit(size_t request) {
  auditTrail.push_back(makeBuffer(1000 + request % 24));  // the leak
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
  const double start = nowS();
  size_t requests = 0;
  for (double now = start; now - start < seconds; now = nowS()) {
    for (int i = 0; i < 50; ++i) handleRequest(requests++);
    audit(requests);
    const struct timespec pause { 0, 1000000 };
    nanosleep(&pause, nullptr);
  }
  std::printf("%zu requests, %zu audited\n", requests, auditTrail.size());
  return 0;
}
