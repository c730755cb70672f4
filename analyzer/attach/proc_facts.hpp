#pragma once
// What slowburn attach reads about a process from /proc before and while it touches it.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slowburn::analyze::attach {

// One mapped file of the process (all its mappings merged).
struct MappedFile {
  std::string path;
  uint64_t start = 0;  // lowest address mapped from it
  uint64_t end = 0;    // highest
  uint64_t base = 0;   // address of file offset 0 (the load base of an ELF object)
};

struct ProcessFacts {
  pid_t pid = 0;
  char state = '?';         // from /proc/PID/stat: R, S, D, Z, T, t, X
  uint64_t startTicks = 0;  // start time: tells the same process from a reused pid
  uint64_t flags = 0;       // the kernel's task flags (PF_KTHREAD for a kernel thread)
  uid_t uid = 0;            // real uid
  std::string exe;          // /proc/PID/exe
  std::string comm;
};

// The process, or nothing when /proc/PID does not exist.
std::optional<ProcessFacts> readProcess(pid_t pid);
// Whether the process is a kernel thread.
bool isKernelThread(const ProcessFacts& facts);
// Whether this process may read the other's memory: process_vm_readv is checked exactly as
// ptrace attach is (credentials, CAP_SYS_PTRACE, Yama), without touching the process.
bool memoryReadable(pid_t pid, uint64_t address);
// Whether pid still names the process first read with startTicks (and is not a zombie).
bool sameProcessAlive(pid_t pid, uint64_t startTicks);

// Thread ids of the process, the main thread first.
std::vector<pid_t> threadsOf(pid_t pid);
// The tracer of a thread (TracerPid), 0 when none.
pid_t tracerOf(pid_t pid, pid_t tid);
// A thread's state letter from /proc/PID/task/TID/stat ('?' when gone).
char threadState(pid_t pid, pid_t tid);

// The files mapped into the process, in address order.
std::vector<MappedFile> mappedFiles(pid_t pid);
// The first mapped file whose name (last component) starts with prefix.
const MappedFile* findMapped(const std::vector<MappedFile>& files, const std::string& prefix);

// The first line of a small file, "" when unreadable.
std::string readFirstLine(const std::string& path);

}  // namespace slowburn::analyze::attach
