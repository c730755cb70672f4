#pragma once
// One thread of another process under ptrace, and function calls made on it.
//
// A call borrows the thread: its registers (general, x87/SSE/AVX state), signal mask and
// errno-free state are saved at the stop, the call runs with every signal blocked on that
// thread (PTRACE_SETSIGMASK; signals for the process go to its other threads, signals for
// this one wait), and returns to address 0, where the fault stops it again. Restoring puts
// everything back as it was and lets the thread go on.
//
// A thread stopped inside a blocking system call: the stop shows the call's interrupted
// result. Restoring the registers as they were (rax holding -ERESTART*, orig_rax the call
// number) lets the kernel restart the call exactly as it would after a signal without a
// handler. A few calls (epoll_wait, semop, socket waits with a timeout) answer any
// interruption with -EINTR instead; at our own stop that is turned into -ERESTARTNOHAND,
// so the program sees the call go on rather than an EINTR it never had a signal for.

#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace slowburn::analyze::attach {

// How a stop or call ended.
enum class Outcome { Done, Timeout, Gone, Crashed };

class TracedThread {
 public:
  TracedThread(pid_t pid, pid_t tid) : m_pid(pid), m_tid(tid) {}
  ~TracedThread();
  TracedThread(const TracedThread&) = delete;
  TracedThread& operator=(const TracedThread&) = delete;

  pid_t tid() const { return m_tid; }

  // PTRACE_SEIZE (no options: the thread's children and signals are none of ours); 0 or errno.
  int seize();
  // Stops the thread (PTRACE_INTERRUPT) and saves its state; signals that arrive first are
  // delivered as they came.
  Outcome stop(uint64_t timeoutNs);
  // When the thread last stopped for us (CLOCK_MONOTONIC ns).
  uint64_t stoppedAtNs() const { return m_stoppedAt; }
  // The registers at the stop.
  const user_regs_struct& savedRegisters() const { return m_saved; }
  // Calls fn(args...) on the stopped thread, on stack (0: the thread's own, below its red
  // zone); returns rax. Between calls the thread stays stopped.
  Outcome call(uint64_t fn, std::initializer_list<uint64_t> args, uint64_t stack, uint64_t* result,
               uint64_t timeoutNs);
  // Puts back registers and signal mask, and detaches: the thread goes on where it was.
  bool resume();

  bool read(uint64_t address, void* out, size_t size) const;
  bool write(uint64_t address, const void* data, size_t size) const;
  std::string readString(uint64_t address, size_t max) const;

  const std::string& failure() const { return m_failure; }

 private:
  Outcome waitForStop(uint64_t timeoutNs, int* status);
  bool save();

  pid_t m_pid;
  pid_t m_tid;
  bool m_seized = false;
  bool m_stopped = false;
  bool m_borrowed = false;  // registers or mask changed since the stop
  user_regs_struct m_saved{};
  std::vector<uint8_t> m_xstate;
  bool m_fpOnly = false;
  uint64_t m_stoppedAt = 0;
  uint64_t m_sigmask = 0;
  std::string m_failure;
};

}  // namespace slowburn::analyze::attach
