#include "hooks/got_redirect.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <utility>

#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "slowburn/format.hpp"
#include "support/mapped_vector.hpp"

namespace slowburn::preload {
namespace {

constexpr uintptr_t kPage = 4096;

// A function whose GOT entries are redirected: its name, its hook, and the syscall op it
// counts (None for the allocation and loader families).
struct Target {
  const char* name;
  uintptr_t hook;
  format::SyscallOp op;
};

#define SLOWBURN_TARGET(name, ...) \
  {#name, reinterpret_cast<uintptr_t>(&hooks::name), format::SyscallOp::None},
#define SLOWBURN_IO_TARGET(name, op, ...) \
  {#name, reinterpret_cast<uintptr_t>(&hooks::name), format::SyscallOp::op},
const Target kTargets[] = {
    SLOWBURN_ALLOC_HOOKS(SLOWBURN_TARGET) SLOWBURN_IO_HOOKS(SLOWBURN_IO_TARGET)
        SLOWBURN_LOADER_HOOKS(SLOWBURN_TARGET) SLOWBURN_ATTACH_HOOKS(SLOWBURN_TARGET)};
#undef SLOWBURN_TARGET
#undef SLOWBURN_IO_TARGET
constexpr size_t kTargetCount = sizeof(kTargets) / sizeof(kTargets[0]);

// The original each target's entries hold when bound to the global scope.
uintptr_t originalOf(size_t target) {
  const Originals& o = detail::s_originals;
  const uintptr_t originals[] = {
#define SLOWBURN_ORIGINAL_ADDRESS(name, ...) reinterpret_cast<uintptr_t>(o.name),
      SLOWBURN_ALLOC_HOOKS(SLOWBURN_ORIGINAL_ADDRESS) SLOWBURN_IO_HOOKS(SLOWBURN_ORIGINAL_ADDRESS)
          SLOWBURN_LOADER_HOOKS(SLOWBURN_ORIGINAL_ADDRESS)
              SLOWBURN_ATTACH_HOOKS(SLOWBURN_ORIGINAL_ADDRESS)
#undef SLOWBURN_ORIGINAL_ADDRESS
  };
  static_assert(sizeof(originals) / sizeof(originals[0]) == kTargetCount);
  return originals[target];
}

struct Entry {
  uintptr_t slot;
  uintptr_t old;
  uintptr_t hook;
  uintptr_t module;  // the module's dynamic section: who the slot belongs to
};

std::atomic<bool> s_locked{false};
std::atomic<bool> s_redirecting{false};
uint32_t s_mask = 0;
MappedVector<Entry> s_entries;
MappedVector<uintptr_t> s_done;  // dynamic sections of the modules redirected

class PassLock {
 public:
  PassLock() {
    while (s_locked.exchange(true, std::memory_order_acquire)) sched_yield();
  }
  ~PassLock() { s_locked.store(false, std::memory_order_release); }
  PassLock(const PassLock&) = delete;
  PassLock& operator=(const PassLock&) = delete;
};

long rawMprotect(uintptr_t page, int prot) {
  return syscall(SYS_mprotect, reinterpret_cast<void*>(page), kPage, prot);
}

// What one module looks like in memory: its load range, dynamic section and RELRO pages.
struct Module {
  uintptr_t base = 0;
  uintptr_t low = UINTPTR_MAX;
  uintptr_t high = 0;
  const ElfW(Dyn) * dynamic = nullptr;
  uintptr_t relroStart = 0;  // the pages the loader made read-only, as it rounds them
  uintptr_t relroEnd = 0;
  const ElfW(Phdr) * phdr = nullptr;
  int phnum = 0;

  bool inRelro(uintptr_t a) const { return a >= relroStart && a < relroEnd; }
  bool writableSegment(uintptr_t a) const {
    for (int i = 0; i < phnum; ++i) {
      const ElfW(Phdr)& ph = phdr[i];
      const uintptr_t start = base + ph.p_vaddr;
      if (ph.p_type == PT_LOAD && a >= start && a < start + ph.p_memsz) return ph.p_flags & PF_W;
    }
    return false;
  }
};

bool describe(const dl_phdr_info* info, Module* m) {
  m->base = info->dlpi_addr;
  m->phdr = info->dlpi_phdr;
  m->phnum = info->dlpi_phnum;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      if (start < m->low) m->low = start;
      if (start + ph.p_memsz > m->high) m->high = start + ph.p_memsz;
    } else if (ph.p_type == PT_DYNAMIC) {
      m->dynamic = reinterpret_cast<const ElfW(Dyn)*>(start);
    } else if (ph.p_type == PT_GNU_RELRO) {
      // glibc's _dl_protect_relro: both ends rounded down to a page.
      m->relroStart = start & ~(kPage - 1);
      m->relroEnd = (start + ph.p_memsz) & ~(kPage - 1);
    }
  }
  return m->dynamic != nullptr && m->high > m->low;
}

// Keeps at most one read-only page writable at a time, and makes it read-only again as
// soon as the writes to it are done.
class PageWriter {
 public:
  explicit PageWriter(const Module& module) : m_module(module) {}
  ~PageWriter() { relock(); }
  PageWriter(const PageWriter&) = delete;
  PageWriter& operator=(const PageWriter&) = delete;

  // False when the slot's page cannot be written.
  bool store(uintptr_t slot, uintptr_t value) {
    const uintptr_t page = slot & ~(kPage - 1);
    if (m_module.inRelro(slot)) {
      if (page != m_unlocked) {
        relock();
        if (rawMprotect(page, PROT_READ | PROT_WRITE) != 0) return false;
        m_unlocked = page;
      }
    } else if (!m_module.writableSegment(slot)) {
      return false;
    }
    __atomic_store_n(reinterpret_cast<uintptr_t*>(slot), value, __ATOMIC_RELEASE);
    return true;
  }

 private:
  void relock() {
    if (m_unlocked != 0) rawMprotect(m_unlocked, PROT_READ);
    m_unlocked = 0;
  }

  const Module& m_module;
  uintptr_t m_unlocked = 0;
};

// The dynamic section's pointers: glibc relocates them in place, the vDSO's are offsets.
uintptr_t dynamicPointer(const Module& m, uintptr_t value) {
  return value >= m.low ? value : m.base + value;
}

struct Relocations {
  const ElfW(Rela) * tables[2] = {nullptr, nullptr};
  size_t counts[2] = {0, 0};
  const ElfW(Sym) * symbols = nullptr;
  const char* strings = nullptr;
  size_t stringBytes = 0;
};

bool readRelocations(const Module& m, Relocations* r) {
  size_t pltBytes = 0, relaBytes = 0;
  uintptr_t jmprel = 0, rela = 0;
  bool pltIsRela = true;
  for (const ElfW(Dyn)* d = m.dynamic; d->d_tag != DT_NULL; ++d) {
    switch (d->d_tag) {
      case DT_JMPREL: jmprel = dynamicPointer(m, d->d_un.d_ptr); break;
      case DT_PLTRELSZ: pltBytes = d->d_un.d_val; break;
      case DT_PLTREL: pltIsRela = d->d_un.d_val == DT_RELA; break;
      case DT_RELA: rela = dynamicPointer(m, d->d_un.d_ptr); break;
      case DT_RELASZ: relaBytes = d->d_un.d_val; break;
      case DT_SYMTAB:
        r->symbols = reinterpret_cast<const ElfW(Sym)*>(dynamicPointer(m, d->d_un.d_ptr));
        break;
      case DT_STRTAB:
        r->strings = reinterpret_cast<const char*>(dynamicPointer(m, d->d_un.d_ptr));
        break;
      case DT_STRSZ: r->stringBytes = d->d_un.d_val; break;
      default: break;
    }
  }
  if (r->symbols == nullptr || r->strings == nullptr) return false;
  if (pltIsRela && jmprel != 0) {
    r->tables[0] = reinterpret_cast<const ElfW(Rela)*>(jmprel);
    r->counts[0] = pltBytes / sizeof(ElfW(Rela));
  }
  if (rela != 0) {
    r->tables[1] = reinterpret_cast<const ElfW(Rela)*>(rela);
    r->counts[1] = relaBytes / sizeof(ElfW(Rela));
  }
  return true;
}

// The target a relocation names, or kTargetCount.
size_t targetOf(const Relocations& r, const ElfW(Rela) & rel) {
  const auto type = ELF64_R_TYPE(rel.r_info);
  if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) return kTargetCount;
  const ElfW(Sym)& sym = r.symbols[ELF64_R_SYM(rel.r_info)];
  if (sym.st_name >= r.stringBytes) return kTargetCount;
  const char* name = r.strings + sym.st_name;
  for (size_t t = 0; t < kTargetCount; ++t) {
    if (std::strcmp(name, kTargets[t].name) == 0) return t;
  }
  return kTargetCount;
}

bool wanted(size_t target) {
  const format::SyscallOp op = kTargets[target].op;
  if (op == format::SyscallOp::None) return true;
  return (s_mask >> static_cast<unsigned>(op)) & 1u;
}

bool isDone(uintptr_t dynamic) {
  for (const uintptr_t d : s_done)
    if (d == dynamic) return true;
  return false;
}

bool skipped(const dl_phdr_info* info) {
  if (info->dlpi_addr == _r_debug.r_ldbase) return true;  // the loader
  const char* name = info->dlpi_name;
  return name != nullptr && std::strncmp(name, "linux-vdso", 10) == 0;  // the vDSO
}

// This library's own loader walks (module scans, lookups during unwinds) must pass the
// fork gate as libunwind's do: of its own entries, only dl_iterate_phdr is redirected.
bool wantedIn(const Module& m, size_t target) {
  if (m.dynamic != _DYNAMIC) return wanted(target);
  return std::strcmp(kTargets[target].name, "dl_iterate_phdr") == 0;
}

int redirectCallback(dl_phdr_info* info, size_t, void* data) {
  auto* counts = static_cast<RedirectCounts*>(data);
  Module m;
  if (!describe(info, &m) || skipped(info)) return 0;
  const auto dynamic = reinterpret_cast<uintptr_t>(m.dynamic);
  if (isDone(dynamic)) return 0;
  Relocations r;
  if (!readRelocations(m, &r)) return 0;
  bool settled = true;
  PageWriter writer(m);
  for (int table = 0; table < 2; ++table) {
    for (size_t i = 0; i < r.counts[table]; ++i) {
      const ElfW(Rela)& rel = r.tables[table][i];
      const size_t target = targetOf(r, rel);
      if (target == kTargetCount || !wantedIn(m, target)) continue;
      const uintptr_t slot = m.base + rel.r_offset;
      const uintptr_t value = __atomic_load_n(reinterpret_cast<uintptr_t*>(slot), __ATOMIC_ACQUIRE);
      const bool lazy =
          ELF64_R_TYPE(rel.r_info) == R_X86_64_JUMP_SLOT && value >= m.low && value < m.high;
      if (value < m.low && m.base != 0) settled = false;  // another thread is loading it
      if (value != originalOf(target) && !lazy) continue;
      const uintptr_t hook = kTargets[target].hook;
      if (!s_entries.push(Entry{slot, value, hook, dynamic})) continue;
      if (!writer.store(slot, hook)) {
        s_entries.resize(s_entries.size() - 1);
        ++counts->unprotectable;
        continue;
      }
      ++counts->entries;
    }
  }
  if (settled && s_done.push(dynamic)) ++counts->modules;
  return 0;
}

int restoreCallback(dl_phdr_info* info, size_t, void* data) {
  auto* restored = static_cast<uint32_t*>(data);
  Module m;
  if (!describe(info, &m)) return 0;
  const auto dynamic = reinterpret_cast<uintptr_t>(m.dynamic);
  PageWriter writer(m);
  for (const Entry& e : s_entries) {
    if (e.module != dynamic) continue;
    // Someone else rewrote it since (a debugger, another tool): theirs stays.
    if (__atomic_load_n(reinterpret_cast<uintptr_t*>(e.slot), __ATOMIC_ACQUIRE) != e.hook) continue;
    if (writer.store(e.slot, e.old)) ++*restored;
  }
  return 0;
}

// The value of the program's JUMP_SLOT entry for name, when bound outside the program.
int findBinding(dl_phdr_info* info, size_t, void* data) {
  auto* query = static_cast<std::pair<const char*, uintptr_t>*>(data);
  Module m;
  Relocations r;
  if (!describe(info, &m) || !readRelocations(m, &r)) return 1;
  for (size_t i = 0; i < r.counts[0]; ++i) {
    const ElfW(Rela)& rel = r.tables[0][i];
    if (ELF64_R_TYPE(rel.r_info) != R_X86_64_JUMP_SLOT) continue;
    const ElfW(Sym)& sym = r.symbols[ELF64_R_SYM(rel.r_info)];
    if (sym.st_name >= r.stringBytes || std::strcmp(r.strings + sym.st_name, query->first) != 0)
      continue;
    const uintptr_t value =
        __atomic_load_n(reinterpret_cast<uintptr_t*>(m.base + rel.r_offset), __ATOMIC_ACQUIRE);
    if (value < m.low || value >= m.high) query->second = value;
  }
  return 1;  // the program is the first object: stop there
}

uintptr_t settled(const char* name, uintptr_t original) {
  Dl_info info;
  const ElfW(Sym)* sym = nullptr;
  if (original == 0 ||
      dladdr1(reinterpret_cast<void*>(original), &info,
              const_cast<void**>(reinterpret_cast<const void**>(&sym)), RTLD_DL_SYMENT) == 0 ||
      sym == nullptr || sym->st_shndx != SHN_UNDEF) {
    return original;  // a real definition
  }
  std::pair<const char*, uintptr_t> query{name, 0};
  dl_iterate_phdr(findBinding, &query);
  if (query.second != 0) return query.second;
  // Never called yet (lazy binding): the next definition after this library's own scope.
  return reinterpret_cast<uintptr_t>(dlsym(RTLD_NEXT, name));
}

RedirectCounts redirectPass() {
  RedirectCounts counts;
  dl_iterate_phdr(redirectCallback, &counts);
  return counts;
}

uint32_t restorePass() {
  uint32_t restored = 0;
  // Entries of modules unloaded meanwhile are not visited: their pages are gone.
  dl_iterate_phdr(restoreCallback, &restored);
  s_entries.clear();
  s_done.clear();
  return restored;
}

}  // namespace

void settleCanonicalOriginals() {
  Originals& o = detail::s_originals;
#define SLOWBURN_SETTLE(name, ...) \
  o.name = reinterpret_cast<decltype(o.name)>(settled(#name, reinterpret_cast<uintptr_t>(o.name)));
  SLOWBURN_ALL_HOOKS(SLOWBURN_SETTLE)
#undef SLOWBURN_SETTLE
}

RedirectCounts redirectModules(uint32_t syscallMask) {
  PassLock lock;
  s_mask = syscallMask;
  s_redirecting.store(true, std::memory_order_release);
  return redirectPass();
}

void redirectNewModules() {
  PassLock lock;
  if (s_redirecting.load(std::memory_order_acquire)) redirectPass();
}

bool redirecting() { return s_redirecting.load(std::memory_order_acquire); }

uint32_t restoreRedirects() {
  PassLock lock;
  s_redirecting.store(false, std::memory_order_release);
  return restorePass();
}

void restoreRedirectsInChild() {
  s_locked.store(false, std::memory_order_relaxed);  // the holder does not exist here
  PassLock lock;
  s_redirecting.store(false, std::memory_order_relaxed);
  restorePass();
}

}  // namespace slowburn::preload
