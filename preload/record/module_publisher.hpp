#pragma once
// The loaded objects the collector must know before any site whose frames point into
// them: path, load address, extent and GNU build-id of each, found with dl_iterate_phdr
// in the program and sent through the channel as ModuleDef messages.
//
// load_address is dlpi_addr, the ELF load bias: an address A in the module is the file's
// virtual address A - load_address, which is exactly what DWARF and symbol tables use.
// The extent is the highest PT_LOAD end (p_vaddr + p_memsz), relative to that bias.
//
// When: before a thread sends a site's definition it asks whether the loader's list
// changed (its adds/subs counters, bumped before a new library's constructors run) since
// the last complete scan; if so it sends every module again. Several threads may do so at
// once: the collector drops repeats. The generation is stored only after the messages are
// in the ring, so a thread that sees it current knows its own definition comes after them.
// No lock is held across dl_iterate_phdr, whose callbacks may be the program's.

#include <atomic>
#include <cstdint>

namespace slowburn::preload {

class Channel;

class ModulePublisher {
 public:
  // False when a definition could not be sent (the ring dropped it).
  bool publishIfChanged(Channel& channel);
  // A new channel: its collector knows no module yet.
  void reset() { m_published.store(kNever, std::memory_order_relaxed); }

 private:
  static constexpr uint64_t kNever = UINT64_MAX;
  std::atomic<uint64_t> m_published{kNever};  // loader generation of the last full scan
};

}  // namespace slowburn::preload
