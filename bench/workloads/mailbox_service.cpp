// A service in four threads that talk through mailboxes: each request visits every
// worker in turn, and at each hop the worker parses what it got, builds a new message and
// posts it to the next worker, which frees the one before. Every message is therefore
// freed on another thread than the one that allocated it. A session table grows slowly.
// Usage: mailbox_service [REQUESTS]   (default 200000)

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kWorkers = 4;
constexpr int kInFlight = 64;  // requests circulating at once

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

struct Message {
  unsigned long id;
  int hops;
  std::string header;
  std::vector<unsigned> fields;
};

class Mailbox {
 public:
  void post(Message* m) {
    {
      std::lock_guard lock(m_mutex);
      m_queue.push_back(m);
    }
    m_ready.notify_one();
  }
  Message* take() {
    std::unique_lock lock(m_mutex);
    m_ready.wait(lock, [this] { return !m_queue.empty(); });
    Message* m = m_queue.front();
    m_queue.pop_front();
    return m;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<Message*> m_queue;
};

Mailbox g_boxes[kWorkers];
std::mutex g_sessionsMutex;
std::map<unsigned long, std::string> g_sessions;  // the slow growth

[[gnu::noinline]] Message* makeRequest(unsigned long id) {
  auto* m = new Message;
  m->id = id;
  m->hops = 0;
  m->header = "GET /items/" + std::to_string(id) + " HTTP/1.1";
  m->fields.assign(8 + id % 24, static_cast<unsigned>(id));
  return m;
}

// One hop: read the message, build its successor (new allocations on this thread).
[[gnu::noinline]] Message* forward(const Message& in, int worker) {
  std::vector<std::string> words;
  size_t start = 0;
  for (size_t i = 0; i <= in.header.size(); ++i) {
    if (i == in.header.size() || in.header[i] == ' ') {
      words.emplace_back(in.header, start, i - start);
      start = i + 1;
    }
  }
  auto* out = new Message;
  out->id = in.id;
  out->hops = in.hops + 1;
  out->header = words.empty() ? in.header
                              : words.back() + " " + words.front() + " w" + std::to_string(worker) +
                                    " " + words[1];
  out->fields = in.fields;
  out->fields.push_back(static_cast<unsigned>(worker));
  escape(out->fields.data());
  return out;
}

[[gnu::noinline]] void remember(unsigned long id, const Message& m) {
  std::lock_guard lock(g_sessionsMutex);
  g_sessions.emplace(id, m.header);
}

void worker(int self, unsigned long requests, unsigned long* finished) {
  unsigned long mine = 0;
  for (;;) {
    Message* m = g_boxes[self].take();
    if (m == nullptr) return;
    if (m->hops == kWorkers * 2) {
      // Done: this worker retires it and injects the next request in its place.
      if (m->id % 64 == 0) remember(m->id, *m);
      const unsigned long next = m->id + kInFlight;
      delete m;
      ++mine;
      if (next < requests) {
        g_boxes[(self + 1) % kWorkers].post(makeRequest(next));
      } else if (__atomic_add_fetch(finished, 1, __ATOMIC_ACQ_REL) == kInFlight) {
        for (Mailbox& box : g_boxes) box.post(nullptr);
        return;
      }
      continue;
    }
    Message* next = forward(*m, self);
    delete m;  // allocated by the previous worker
    g_boxes[(self + 1) % kWorkers].post(next);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long requests = argc > 1 ? std::atol(argv[1]) : 200000;
  if (requests < kInFlight) {
    std::fprintf(stderr, "usage: mailbox_service [REQUESTS >= %d]\n", kInFlight);
    return 2;
  }
  unsigned long finished = 0;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w)
    threads.emplace_back(worker, w, static_cast<unsigned long>(requests), &finished);
  for (int i = 0; i < kInFlight; ++i) g_boxes[i % kWorkers].post(makeRequest(i));
  for (std::thread& t : threads) t.join();
  std::printf("mailbox_service: %zu sessions\n", g_sessions.size());
  return 0;
}
