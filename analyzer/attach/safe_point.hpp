#pragma once
// Whether a stopped thread may be borrowed to load a library and start recording.
//
// The injected calls (dlopen, the library's start and stop) allocate and take the loader's
// locks. On a thread stopped in the middle of malloc (its tcache half updated, an arena
// lock held), inside the loader, in fork or in exit, they would corrupt the heap or wait
// forever for a lock the thread itself holds: what makes other attach tools crash their
// targets. So the thread's stack is unwound (libdwfl, from the .eh_frame CFI of each
// module) and the thread is borrowed only when:
//   - no frame is in the loader (ld.so) or in libunwind (whose caches have locks of their
//     own); a frame in libslowburn.so is no reason (a hook blocked in read() holds nothing),
//     the libc functions it is in are judged as any other;
//   - no frame is inside a libc function that holds such state or locks: the malloc
//     family, fork, atfork, dlopen and friends, dl_iterate_phdr, exit, thread creation
//     and exit (by its exported name: the libc function the program called);
//   - every stretch of libc frames was entered through such an exported function called
//     from outside libc, except the stretch at the bottom of the stack (thread start),
//     which must not be where the thread is now.
// Frames past the last one with CFI (code built without unwind tables) are taken to be
// the program's own. Other threads keep running meanwhile: a lock one of them holds is
// only waited for, never deadlocked on.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "attach/elf_symbols.hpp"
#include "attach/proc_facts.hpp"

struct Dwfl;

namespace slowburn::analyze::attach {

class SafePoints {
 public:
  // files: the process's mapped files; libc: its libc's dynamic symbols and load base.
  SafePoints(pid_t pid, const std::vector<MappedFile>& files, const DynamicSymbols& libc,
             uint64_t libcBase, const MappedFile& libcFile);
  ~SafePoints();
  SafePoints(const SafePoints&) = delete;
  SafePoints& operator=(const SafePoints&) = delete;

  // For a thread we have stopped: "" when it may be borrowed, else why not.
  std::string verdict(pid_t tid);

 private:
  struct Range {
    uint64_t start, end;
    const char* name;
  };
  // The module a frame must never be in ("the loader", "libunwind"), or nullptr.
  const char* neverSafeModule(uint64_t pc) const;

  Dwfl* m_dwfl = nullptr;
  bool m_attached = false;
  const DynamicSymbols& m_libc;
  uint64_t m_libcBase;
  Range m_libcRange;
  std::vector<Range> m_neverSafe;
};

}  // namespace slowburn::analyze::attach
