#pragma once
// The loaded objects a symbolizer needs: path, load address, size and GNU build-id of
// each, discovered with dl_iterate_phdr and reported once per (address, path).
//
// load_address is dlpi_addr, the ELF load bias: an address A in the module is the file's
// virtual address A - load_address, which is exactly what DWARF and symbol tables use.
// size is the highest PT_LOAD end (p_vaddr + p_memsz), relative to that bias, so the
// module covers [load_address, load_address + size).
//
// When to rescan: the collector asks changed() before writing each new SITE, so a library
// dlopen'ed since the last scan (even one whose constructor is allocating right now) has
// its MODULE record before any SITE whose frames point into it. dlclose is hooked to let
// the collector publish pending sites first, while the library is still mapped.

#include <cstddef>
#include <cstdint>

#include "slowburn/records.hpp"

struct dl_phdr_info;

namespace slowburn::preload {

class ModuleMap {
 public:
  // The module's MODULE record but for its id, which the dump assigns.
  using EmitFn = bool (*)(void* context, const format::ModuleView& module);

  ModuleMap() = default;
  ~ModuleMap();
  ModuleMap(const ModuleMap&) = delete;
  ModuleMap& operator=(const ModuleMap&) = delete;

  // Calls emit for every loaded module not reported before; false if emit failed.
  bool scan(EmitFn emit, void* context);
  // Whether the loader added or removed anything since the last scan (one short,
  // lock-protected walk of the loader's list, stopped at its first entry).
  bool changed() const;
  // Whether address lies in a module reported so far.
  bool covers(uint64_t address) const;
  size_t count() const { return m_count; }

  // Everything counts as unreported again (a fork child starts a new dump).
  void reset() {
    m_count = 0;
    m_adds = m_subs = 0;
  }

 private:
  struct Known {
    uint64_t start;
    uint64_t end;
    uint64_t pathHash;
  };
  static int scanCallback(struct dl_phdr_info* info, size_t size, void* data);
  bool remember(uint64_t start, uint64_t end, uint64_t pathHash);
  bool known(uint64_t start, uint64_t pathHash) const;

  Known* m_known = nullptr;
  size_t m_count = 0;
  size_t m_capacity = 0;
  unsigned long long m_adds = 0;
  unsigned long long m_subs = 0;
};

}  // namespace slowburn::preload
