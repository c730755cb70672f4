// Loads a plugin by its bare name, found only along this program's RUNPATH ($ORIGIN),
// once a line arrives on stdin: with slowburn attach recording, the plugin is loaded
// through the dlopen redirection, which must find it where the program would and
// redirect its calls too. Keeps the plugin's 6 blocks of 50001 B until stdin closes.
// Usage: at_plugin_host

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>

int main() {
  char c;
  while (read(0, &c, 1) == 1 && c != '\n') {
  }
  void* handle = dlopen("libpl_plugin.so", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  auto keep = reinterpret_cast<void (*)(void**, int)>(dlsym(handle, "pluginKeep"));
  void* blocks[6];
  keep(blocks, 6);
  std::printf("plugin kept 6 blocks\n");
  std::fflush(stdout);
  while (read(0, &c, 1) == 1) {
  }
  return 0;
}
