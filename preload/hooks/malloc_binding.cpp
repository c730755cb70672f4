#include "hooks/malloc_binding.hpp"

#include <dlfcn.h>
#include <link.h>

#include <atomic>

#include "hooks/hooks.hpp"
#include "record/recorder.hpp"
#include "support/stderr_line.hpp"

namespace slowburn::preload {
namespace {

std::atomic<bool> s_said{false};

// Appends text to out at n (NUL-terminated, cut to size).
void append(char* out, size_t size, size_t& n, const char* text) {
  for (const char* p = text; *p != '\0' && n + 1 < size; ++p) out[n++] = *p;
  out[n] = '\0';
}

}  // namespace

void noteForeignMalloc() {
  void* bound = dlsym(RTLD_DEFAULT, "malloc");
  if (bound == nullptr || bound == reinterpret_cast<void*>(&hooks::malloc)) return;
  // An executable that takes malloc's address has it as an undefined symbol whose value is
  // its PLT entry (the canonical address, for pointer equality), and dlsym returns that; the
  // calls still reach us. Only a defined symbol there is another malloc.
  Dl_info info{};
  void* entry = nullptr;
  if (dladdr1(bound, &info, &entry, RTLD_DL_SYMENT) == 0 || entry == nullptr ||
      static_cast<const ElfW(Sym)*>(entry)->st_shndx == SHN_UNDEF || info.dli_saddr != bound) {
    return;
  }
  const char* where =
      info.dli_fname != nullptr && info.dli_fname[0] != '\0' ? info.dli_fname : "the executable";
  static constexpr const char* kWhy =
      ", ahead of the preload (an allocator linked in statically): its blocks are not "
      "recorded, only the memory it maps (sites of kind mmap)";
  char text[512];
  size_t n = 0;
  append(text, sizeof(text), n, "malloc is defined by ");
  append(text, sizeof(text), n, where);
  append(text, sizeof(text), n, kWhy);
  if (!s_said.exchange(true)) diag::line(text);
  recordNote(format::NoteKind::Info, 0, text);
}

}  // namespace slowburn::preload
