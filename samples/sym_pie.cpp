// Symbolizer fixture: prints the module map the preload would record (bias, PT_LOAD extent,
// build-id, path of every loaded object), a function's address, a return address, and two
// operator new stacks — a push_back inlined into record() and a std::string append that
// goes through libstdc++ — with the source lines they belong to, for the tests to resolve
// offline. Built as an -O2 PIE (sym_pie) and non-PIE (sym_nopie); stripped and split-debug
// copies of sym_pie are made by samples/extra.mk.

#include <execinfo.h>
#include <link.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

std::vector<int> g_cache;
std::string g_text;

namespace {

int g_callLine = 0;
int g_pushLine = 0;
int g_appendLine = 0;
void* g_returnAddress = nullptr;

// The next operator new records its stack here.
struct Capture {
  void* frames[32];
  int depth = 0;
};
Capture* g_capture = nullptr;
Capture g_pushStack;
Capture g_appendStack;

void printBuildId(const dl_phdr_info* info) {
  bool found = false;
  for (int i = 0; i < info->dlpi_phnum && !found; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const uint64_t align = ph.p_align == 8 ? 8 : 4;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const auto* end = p + ph.p_filesz;
    while (p + sizeof(ElfW(Nhdr)) <= end && !found) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const unsigned char* name = p + sizeof(ElfW(Nhdr));
      const unsigned char* desc = name + ((note->n_namesz + align - 1) & ~(align - 1));
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4) {
        for (unsigned j = 0; j < note->n_descsz; ++j) std::printf("%02x", desc[j]);
        found = true;
      }
      p = desc + ((note->n_descsz + align - 1) & ~(align - 1));
    }
  }
  if (!found) std::printf("-");
}

// One "module BIAS EXTENT BUILD_ID PATH" line per loaded object, main program first.
int describeModule(dl_phdr_info* info, size_t, void* seen) {
  const bool mainProgram = (*static_cast<int*>(seen))++ == 0;
  char exe[4096] = {};
  const char* path = info->dlpi_name;
  if (mainProgram && readlink("/proc/self/exe", exe, sizeof exe - 1) > 0) path = exe;
  if (path == nullptr || path[0] == '\0') return 0;
  uint64_t extent = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && ph.p_vaddr + ph.p_memsz > extent) extent = ph.p_vaddr + ph.p_memsz;
  }
  std::printf("module %#llx %#llx ", static_cast<unsigned long long>(info->dlpi_addr),
              static_cast<unsigned long long>(extent));
  printBuildId(info);
  std::printf(" %s\n", path);
  return 0;
}

void printStack(const char* key, const Capture& capture) {
  std::printf("%s", key);
  for (int i = 0; i < capture.depth; ++i) std::printf(" %p", capture.frames[i]);
  std::printf("\n");
}

}  // namespace

// Replaced so the test sees real operator new stacks.
void* operator new(std::size_t size) {
  if (g_capture != nullptr) {
    Capture* capture = g_capture;
    g_capture = nullptr;
    capture->depth = backtrace(capture->frames, 32);
  }
  void* p = std::malloc(size ? size : 1);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

[[gnu::noinline]] void captureReturnAddress() {
  g_returnAddress = __builtin_return_address(0);
  asm volatile("" ::: "memory");
}

constexpr int kCallerLine = __LINE__ + 1;
[[gnu::noinline]] int symPieCaller(int x) {
  g_callLine = __LINE__ + 1;
  captureReturnAddress();
  return x * 3 + 1;
}

[[gnu::noinline]] void record(int value) {
  g_pushLine = __LINE__ + 1;
  g_cache.push_back(value);
  asm volatile("" ::: "memory");  // no tail call: record() must stay on the stack
}

// std::string's members are instantiated in libstdc++.so, so growth calls into it.
[[gnu::noinline]] void appendText(const char* text) {
  g_appendLine = __LINE__ + 1;
  g_text.append(text);
  asm volatile("" ::: "memory");
}

int main() {
  void* warmup[4];
  backtrace(warmup, 4);  // loads the unwinder now, not inside operator new
  int seen = 0;
  dl_iterate_phdr(describeModule, &seen);
  const int result = symPieCaller(2);
  g_capture = &g_pushStack;
  record(result);
  g_capture = &g_appendStack;
  appendText("a string too long for the small-string buffer, so it allocates");
  std::printf("caller_address %p\ncaller_line %d\n", reinterpret_cast<void*>(&symPieCaller),
              kCallerLine);
  std::printf("return_address %p\ncall_line %d\n", g_returnAddress, g_callLine);
  std::printf("push_line %d\nappend_line %d\n", g_pushLine, g_appendLine);
  printStack("push_stack", g_pushStack);
  printStack("append_stack", g_appendStack);
  return g_cache.size() == 1 && g_pushStack.depth > 2 && g_appendStack.depth > 2 ? 0 : 1;
}
