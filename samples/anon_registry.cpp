// A std::map of a type in an anonymous namespace that only grows: the inlined map code is
// named without its scope in DWARF ("allocate", "_M_create_node"), yet the location must be
// remember(int), not a libstdc++ header.
// Usage: anon_registry [ROUNDS] (default 100)

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace {

struct Entry {
  char payload[3000];  // with the tree node, easy to spot
  explicit Entry(int seed) { std::memset(payload, seed, sizeof payload); }
};

std::map<int, Entry> g_registry;  // nothing is ever erased

}  // namespace

[[gnu::noinline]] void remember(int key) {
  g_registry.emplace(key, Entry(key));  // the leak
}

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 100;
  for (int round = 0; round < rounds; ++round) {
    remember(round);
    usleep(10000);
  }
  std::printf("registry: %zu\n", g_registry.size());
  return 0;
}
