// Loads a plugin with dlopen, lets its code allocate (the blocks stay live), then
// dlcloses it. Usage: pl_dlopen PATH-TO-libpl_plugin.so
#include <dlfcn.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  using Keep = void (*)(void**, int);
  auto keep = reinterpret_cast<Keep>(dlsym(handle, "pluginKeep"));
  if (keep == nullptr) return 1;
  static void* blocks[6];
  keep(blocks, 6);
  dlclose(handle);
  std::printf("plugin kept 6 blocks\n");
  return 0;
}
