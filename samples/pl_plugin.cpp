// A library the pl_dlopen sample loads at run time: its own code allocates 6 x 50001 B.
#include <cstdlib>

extern "C" [[gnu::visibility("default"), gnu::noinline]] void pluginKeep(void** out, int n) {
  for (int i = 0; i < n; ++i) {
    out[i] = std::malloc(50001);
    asm volatile("" : : "r"(out[i]) : "memory");
  }
}
