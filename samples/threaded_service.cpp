// Worker threads serve requests that a dispatcher thread allocates, so every request is
// freed on another thread than the one that made it; one worker path leaks slowly.
// Usage: threaded_service [ROUNDS] (default 300)

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

struct Request {
  unsigned id;
  char body[2492];
};

std::mutex g_mutex;
std::condition_variable g_ready;
std::deque<Request*> g_queue;
bool g_done = false;
std::atomic<unsigned long> g_served{0};

[[gnu::noinline]] Request* makeRequest(unsigned id) {
  auto* r = new Request;
  r->id = id;
  std::memset(r->body, static_cast<int>(id), sizeof r->body);
  return r;
}

// The slow leak: a connection record for every 50th request, never released.
[[gnu::noinline]] void trackConnection(unsigned id) {
  auto* record = static_cast<unsigned*>(std::malloc(96));
  record[0] = id;
  escape(record);
}

void worker() {
  for (;;) {
    Request* r;
    {
      std::unique_lock lock(g_mutex);
      g_ready.wait(lock, [] { return g_done || !g_queue.empty(); });
      if (g_queue.empty()) return;
      r = g_queue.front();
      g_queue.pop_front();
    }
    if (r->id % 50 == 0) trackConnection(r->id);
    escape(r->body);
    delete r;  // freed on a worker, allocated on the dispatcher
    g_served.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
  constexpr int kWorkers = 4;
  constexpr int kRequestsPerRound = 200;
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) workers.emplace_back(worker);
  unsigned id = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int k = 0; k < kRequestsPerRound; ++k) {
      Request* r = makeRequest(id++);
      std::lock_guard lock(g_mutex);
      g_queue.push_back(r);
      g_ready.notify_one();
    }
    usleep(10000);
  }
  {
    std::lock_guard lock(g_mutex);
    g_done = true;
  }
  g_ready.notify_all();
  for (auto& t : workers) t.join();
  std::printf("threaded service: %lu served\n", g_served.load());
  return 0;
}
