// A leak that starts halfway through the run, after a healthy first half.
// Usage: late_leak [ROUNDS] (default 300)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

struct Node {
  Node* next;
  char payload[12000];  // 12008 bytes a node: easy to spot
};

Node* g_history = nullptr;  // only ever grows once the feature is switched on

[[gnu::noinline]] void remember(int round) {
  auto* node = new Node;
  std::memset(node->payload, round, sizeof node->payload);
  node->next = g_history;
  g_history = node;
}

[[gnu::noinline]] size_t work(int round) {
  std::vector<int> scratch(700 + round % 13, round);
  escape(scratch.data());
  return scratch.size();
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
  size_t done = 0;
  for (int round = 0; round < rounds; ++round) {
    done += work(round);
    if (round >= rounds / 2) remember(round);
    usleep(10000);
  }
  std::printf("late leak: %zu\n", done);
  return 0;
}
