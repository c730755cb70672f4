#pragma once
// Calls into a running process: borrows one of its threads at a safe point
// (safe_point.hpp), makes a few calls there (traced_thread.hpp) and gives the thread back.
//
//   start: mmap a scratch area (data and a stack of our own, so a thread with a small
//          stack is never overrun), dlopen(libslowburn.so, RTLD_NOW | RTLD_NODELETE),
//          slowburn_attach_start(settings), munmap; the thread's errno is put back.
//   stop:  the same around slowburn_attach_stop.
// Only the borrowed thread is stopped, for about a millisecond; the others run on.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "attach/elf_symbols.hpp"
#include "attach/proc_facts.hpp"

namespace slowburn::analyze::attach {

class TracedThread;

class Injector {
 public:
  // Checks what can be checked without touching the process; throws std::runtime_error
  // with the reason (and how to allow it) when it cannot be done.
  Injector(const ProcessFacts& target, const std::string& library);
  ~Injector();
  Injector(const Injector&) = delete;
  Injector& operator=(const Injector&) = delete;

  // The library's answer to slowburn_attach_start (see preload/lifecycle/attach.hpp).
  std::string start(const std::string& settings);
  // The library's answer to slowburn_attach_stop.
  std::string stop();

  // How long the last start or stop kept a thread of the program stopped, and which.
  uint64_t borrowedNs() const { return m_borrowedNs; }
  pid_t borrowedThread() const { return m_borrowedTid; }

 private:
  std::unique_ptr<TracedThread> borrowThread();
  uint64_t libraryEntry(const char* name);
  std::string callEntry(const char* name, const std::string* settings);

  ProcessFacts m_target;
  std::string m_library;
  MappedFile m_libc;
  std::unique_ptr<DynamicSymbols> m_libcSymbols;
  std::unique_ptr<DynamicSymbols> m_librarySymbols;
  uint64_t m_borrowedNs = 0;
  pid_t m_borrowedTid = 0;
};

}  // namespace slowburn::analyze::attach
