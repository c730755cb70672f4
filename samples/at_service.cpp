// A multi-threaded service for slowburn attach: a dispatcher hands requests to three
// workers (condition variable), a reader thread blocks in read() on a pipe it is fed
// through, a signal thread queues real-time signals that the process handles, and one
// worker path keeps every session it sees: the leak. Everything it prints depends only
// on ROUNDS, so a run that was attached to must print exactly what a plain run prints.
// Usage: at_service [ROUNDS] (default 300, about 20 ms each); exits with status 3.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Request {
  unsigned id;
  std::string payload;
};

std::mutex g_mutex;
std::condition_variable g_ready;
std::deque<Request*> g_queue;
bool g_done = false;
std::atomic<unsigned long> g_checksum{0};
std::atomic<unsigned> g_handled{0};
std::vector<std::string*> g_sessions;  // never trimmed
std::mutex g_sessionsMutex;

void onSignal(int, siginfo_t*, void*) { g_handled.fetch_add(1, std::memory_order_relaxed); }

[[gnu::noinline]] void rememberSession(const Request& r) {
  auto* session = new std::string(r.payload);  // the leak: one per 4th request
  std::lock_guard lock(g_sessionsMutex);
  g_sessions.push_back(session);
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
    unsigned long sum = 0;
    for (const char c : r->payload) sum += static_cast<unsigned char>(c);
    g_checksum.fetch_add(sum + r->id, std::memory_order_relaxed);
    if (r->id % 4 == 0) rememberSession(*r);
    delete r;  // freed on a worker, allocated on the dispatcher
  }
}

// Blocks in read() most of the time; counts what it was sent.
void reader(int fd, unsigned long* bytes) {
  char buffer[512];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return;
    *bytes += static_cast<unsigned long>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
  struct sigaction action {};
  action.sa_sigaction = onSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGRTMIN, &action, nullptr);
  int pipeFds[2];
  if (pipe(pipeFds) != 0) return 1;
  unsigned long readBytes = 0;
  std::thread readerThread(reader, pipeFds[0], &readBytes);
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) workers.emplace_back(worker);
  std::thread signaller([rounds] {
    for (int i = 0; i < rounds; ++i) {
      sigqueue(getpid(), SIGRTMIN, sigval{i});
      usleep(20000);
    }
  });
  unsigned id = 0;
  for (int round = 0; round < rounds; ++round) {
    for (int k = 0; k < 40; ++k) {
      auto* r = new Request{id, std::string(200 + id % 300, static_cast<char>('a' + id % 26))};
      ++id;
      std::lock_guard lock(g_mutex);
      g_queue.push_back(r);
      g_ready.notify_one();
    }
    const std::string line = "round " + std::to_string(round) + "\n";
    if (write(pipeFds[1], line.data(), line.size()) < 0) return 1;
    usleep(20000);
  }
  signaller.join();
  {
    std::lock_guard lock(g_mutex);
    g_done = true;
  }
  g_ready.notify_all();
  for (std::thread& t : workers) t.join();
  close(pipeFds[1]);
  readerThread.join();
  // Real-time signals queue: every one sent is handled, unless one is lost.
  for (int wait = 0; wait < 200 && g_handled.load() < static_cast<unsigned>(rounds); ++wait)
    usleep(10000);
  std::printf("requests %u, checksum %lu, sessions %zu, read %lu bytes, signals %u/%d\n", id,
              g_checksum.load(), g_sessions.size(), readBytes, g_handled.load(), rounds);
  return 3;
}
