#pragma once
// The per-thread "already inside the profiler" flag. Initial-exec TLS is a fixed offset
// from the thread pointer: reading it never calls __tls_get_addr, which may allocate.

#include <cerrno>

namespace slowburn::preload {

[[gnu::tls_model("initial-exec")]] inline thread_local bool t_inProfiler = false;

// Set while the profiler works on this thread: allocations made meanwhile (by the
// profiler, libunwind, or a signal handler that interrupts us) are passed through
// unrecorded instead of recursing.
class ReentryGuard {
 public:
  ReentryGuard() : m_outer(t_inProfiler) { t_inProfiler = true; }
  ~ReentryGuard() { t_inProfiler = m_outer; }
  ReentryGuard(const ReentryGuard&) = delete;
  ReentryGuard& operator=(const ReentryGuard&) = delete;

 private:
  bool m_outer;
};

// Recording must never change what the program sees in errno.
class ErrnoKeeper {
 public:
  ErrnoKeeper() : m_saved(errno) {}
  ~ErrnoKeeper() { errno = m_saved; }
  ErrnoKeeper(const ErrnoKeeper&) = delete;
  ErrnoKeeper& operator=(const ErrnoKeeper&) = delete;

 private:
  int m_saved;
};

}  // namespace slowburn::preload
