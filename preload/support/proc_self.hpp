#pragma once
// Facts about this process read from /proc with raw syscalls (no stdio, no heap).

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

// A process's resident set size in bytes from /proc/<pid>/statm; 0 when unreadable.
//
// The file stays open on a high descriptor and is re-read with pread: opening it at every
// snapshot would briefly take the lowest free descriptor, which a daemon closing and
// reopening 0, 1, 2 expects to get itself. Before each read the descriptor's identity is
// checked, so a number the program reused is never read from.
class ResidentReader {
 public:
  explicit ResidentReader(int pid = 0) : m_pid(pid) {}
  void watch(int pid) { m_pid = pid; }
  uint64_t read();

 private:
  bool reopen();

  int m_pid;
  int m_fd = -1;
  dev_t m_dev = 0;
  ino_t m_ino = 0;
};

// "/proc/<pid>/<leaf>" in out (NUL-terminated); false when it does not fit.
bool procPath(int pid, const char* leaf, char* out, size_t size);

// The executable's absolute path from /proc/self/exe, else the name it was started by.
void executablePath(char* out, size_t size);

}  // namespace slowburn::preload
