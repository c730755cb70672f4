// A 4-thread service: two producers build messages and post them to mailboxes, two
// consumers take them out and free them (cross-thread frees). The mailboxes breathe: their
// depth wanders with the load, a few messages at a time, millions of times over. The only
// leak is tiny: a consumer keeps a 96-byte trace of one message in 500.
// Usage: mailbox_service [SECONDS]   (default 5 s)

#include <time.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace {

struct Message {
  size_t id;
  size_t bytes;
  char body[1];
};

struct Mailbox {
  std::mutex lock;
  std::condition_variable ready;
  std::deque<Message*> messages;
};

Mailbox boxes[2];
std::atomic<bool> running{true};
std::mutex traceLock;
std::vector<void*> traces;  // the tiny leak

double nowS() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[gnu::noinline]] Message* compose(size_t id, size_t bytes) {
  auto* m = static_cast<Message*>(std::malloc(sizeof(Message) + bytes));
  m->id = id;
  m->bytes = bytes;
  std::memset(m->body, 'm', bytes);
  return m;
}

[[gnu::noinline]] void keepTrace(const Message* m) {
  void* trace = std::malloc(96);  // the leak: traces are never dropped
  std::memcpy(trace, m, 16);
  std::lock_guard<std::mutex> g(traceLock);
  traces.push_back(trace);
}

void produce(int which) {
  std::mt19937 rng(which + 1);
  size_t id = 0;
  while (running.load(std::memory_order_relaxed)) {
    // Bursts of varying size: the mailbox depth wanders.
    const int burst = 1 + static_cast<int>(rng() % 24);
    for (int i = 0; i < burst; ++i) {
      Message* m = compose(id++, 24 + rng() % 72);
      Mailbox& box = boxes[rng() % 2];
      {
        std::lock_guard<std::mutex> g(box.lock);
        box.messages.push_back(m);
      }
      box.ready.notify_one();
    }
    if (rng() % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void consume(int which) {
  Mailbox& box = boxes[which];
  size_t handled = 0;
  for (;;) {
    Message* m = nullptr;
    {
      std::unique_lock<std::mutex> g(box.lock);
      box.ready.wait_for(g, std::chrono::milliseconds(5),
                         [&] { return !box.messages.empty() || !running.load(); });
      if (box.messages.empty()) {
        if (!running.load()) return;
        continue;
      }
      m = box.messages.front();
      box.messages.pop_front();
    }
    if (++handled % 500 == 0) keepTrace(m);
    std::free(m);  // freed by another thread than the one that made it
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  std::vector<std::thread> threads;
  threads.emplace_back(produce, 0);
  threads.emplace_back(produce, 1);
  threads.emplace_back(consume, 0);
  threads.emplace_back(consume, 1);
  const double start = nowS();
  while (nowS() - start < seconds) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  running = false;
  for (auto& t : threads) t.join();
  for (Mailbox& box : boxes) {
    for (Message* m : box.messages) std::free(m);
  }
  std::printf("kept %zu traces\n", traces.size());
  return 0;
}
