// A host that does its work through a plugin it dlopen()s, as servers with loadable
// modules do: the plugin parses each request into tokens and a small index (its own
// allocations, in its own code), the host keeps some of the results. The plugin is
// closed and opened again halfway, so its code may come back at another address.
// Usage: plugin_host PLUGIN.so [REQUESTS]   (default 400000)

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using HandleFn = size_t (*)(const char* request, size_t length);

void* openPlugin(const char* path, HandleFn* handle) {
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    std::fprintf(stderr, "plugin_host: %s\n", dlerror());
    return nullptr;
  }
  *handle = reinterpret_cast<HandleFn>(dlsym(lib, "plugin_handle"));
  if (*handle == nullptr) {
    std::fprintf(stderr, "plugin_host: %s has no plugin_handle\n", path);
    dlclose(lib);
    return nullptr;
  }
  return lib;
}

}  // namespace

int main(int argc, char** argv) {
  const long requests = argc > 2 ? std::atol(argv[2]) : 400000;
  if (argc < 2 || requests <= 0) {
    std::fprintf(stderr, "usage: plugin_host PLUGIN.so [REQUESTS]\n");
    return 2;
  }
  std::vector<std::string> kept;
  size_t sum = 0;
  for (int half = 0; half < 2; ++half) {
    HandleFn handle = nullptr;
    void* lib = openPlugin(argv[1], &handle);
    if (lib == nullptr) return 1;
    for (long i = half * requests / 2; i < (half + 1) * requests / 2; ++i) {
      const std::string request = "user=" + std::to_string(i % 977) + "&item=" + std::to_string(i) +
                                  "&tags=a,b,c,d&page=" + std::to_string(i % 13);
      sum += handle(request.data(), request.size());
      if (i % 1000 == 0) kept.push_back(request);
    }
    dlclose(lib);
  }
  std::printf("plugin_host: %zu kept, %zu\n", kept.size(), sum);
  return 0;
}
