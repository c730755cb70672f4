#include "attach/traced_thread.hpp"

#include <elf.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace slowburn::analyze::attach {
namespace {

#if !defined(__x86_64__)
#error "slowburn attach calls functions in another process the x86-64 way"
#endif

constexpr size_t kRedZone = 128;
constexpr size_t kXstateBytes = 64 * 1024;
constexpr long kErestartNoHand = 514;  // the kernel's ERESTARTNOHAND
constexpr uint64_t kDirectionFlag = 1u << 10;

uint64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void pause(uint64_t ns) {
  timespec ts{0, static_cast<long>(ns)};
  nanosleep(&ts, nullptr);
}

bool isStopSignal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

}  // namespace

TracedThread::~TracedThread() {
  if (m_seized) resume();
}

int TracedThread::seize() {
  if (ptrace(PTRACE_SEIZE, m_tid, nullptr, nullptr) != 0) return errno;
  m_seized = true;
  return 0;
}

Outcome TracedThread::waitForStop(uint64_t timeoutNs, int* status) {
  const uint64_t start = nowNs();
  uint64_t sleep = 10000;
  for (;;) {
    const pid_t r = waitpid(m_tid, status, __WALL | WNOHANG);
    if (r == m_tid) {
      if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
        m_seized = false;
        m_failure = "the process exited";
        return Outcome::Gone;
      }
      return Outcome::Done;
    }
    if (r < 0 && errno != EINTR) {
      m_seized = false;
      m_failure = "the thread is gone";
      return Outcome::Gone;
    }
    if (timeoutNs != UINT64_MAX && nowNs() - start > timeoutNs) return Outcome::Timeout;
    pause(sleep);
    if (sleep < 1000000) sleep *= 2;
  }
}

Outcome TracedThread::stop(uint64_t timeoutNs) {
  if (ptrace(PTRACE_INTERRUPT, m_tid, nullptr, nullptr) != 0) {
    m_failure = std::string("PTRACE_INTERRUPT: ") + std::strerror(errno);
    return Outcome::Gone;
  }
  const uint64_t start = nowNs();
  for (;;) {
    int status = 0;
    const uint64_t spent = nowNs() - start;
    const Outcome o = waitForStop(spent < timeoutNs ? timeoutNs - spent : 0, &status);
    if (o != Outcome::Done) return o;
    const int sig = WSTOPSIG(status);
    if ((status >> 16) == PTRACE_EVENT_STOP && !isStopSignal(sig)) break;  // ours
    // A signal that came first goes on to the program as it came; a group stop (someone
    // stopped the process) is left to the program too. Our interrupt is still pending.
    const bool groupStop = (status >> 16) == PTRACE_EVENT_STOP;
    ptrace(groupStop ? PTRACE_LISTEN : PTRACE_CONT, m_tid, nullptr,
           reinterpret_cast<void*>(static_cast<long>(groupStop ? 0 : sig)));
    if (groupStop) {
      m_failure = "the process is stopped (SIGSTOP)";
      return Outcome::Timeout;
    }
  }
  m_stopped = true;
  m_stoppedAt = nowNs();
  return save() ? Outcome::Done : Outcome::Gone;
}

bool TracedThread::save() {
  if (ptrace(PTRACE_GETREGS, m_tid, nullptr, &m_saved) != 0) return false;
  m_xstate.assign(kXstateBytes, 0);
  iovec io{m_xstate.data(), m_xstate.size()};
  m_fpOnly = ptrace(PTRACE_GETREGSET, m_tid, reinterpret_cast<void*>(NT_X86_XSTATE), &io) != 0;
  if (m_fpOnly) {  // no XSAVE: the x87/SSE registers are all there is
    m_xstate.resize(sizeof(user_fpregs_struct));
    if (ptrace(PTRACE_GETFPREGS, m_tid, nullptr, m_xstate.data()) != 0) return false;
  } else {
    m_xstate.resize(io.iov_len);
  }
  if (ptrace(PTRACE_GETSIGMASK, m_tid, reinterpret_cast<void*>(sizeof(m_sigmask)), &m_sigmask) != 0)
    return false;
  // Interrupted by our stop alone, a call that answers with EINTR goes on instead.
  if (static_cast<long>(m_saved.orig_rax) >= 0 && static_cast<long>(m_saved.rax) == -EINTR)
    m_saved.rax = static_cast<uint64_t>(-kErestartNoHand);
  return true;
}

Outcome TracedThread::call(uint64_t fn, std::initializer_list<uint64_t> args, uint64_t stack,
                           uint64_t* result, uint64_t timeoutNs) {
  if (!m_stopped) return Outcome::Gone;
  if (!m_borrowed) {
    const uint64_t all = ~uint64_t{0};
    if (ptrace(PTRACE_SETSIGMASK, m_tid, reinterpret_cast<void*>(sizeof(all)), &all) != 0) {
      m_failure = std::string("PTRACE_SETSIGMASK: ") + std::strerror(errno);
      return Outcome::Gone;
    }
    m_borrowed = true;
  }
  user_regs_struct regs = m_saved;
  const uint64_t top = stack != 0 ? stack : m_saved.rsp - kRedZone;
  // At the callee's first instruction rsp + 8 is 16-byte aligned (the SysV ABI).
  const uint64_t frame = ((top - 256) & ~uint64_t{15}) - 8;
  const uint64_t returnAddress = 0;
  if (!write(frame, &returnAddress, sizeof(returnAddress))) {
    m_failure = "cannot write the call's return address";
    return Outcome::Crashed;
  }
  regs.rip = fn;
  regs.rsp = frame;
  regs.rax = 0;
  regs.orig_rax = static_cast<uint64_t>(-1);  // no system call to restart meanwhile
  regs.eflags &= ~kDirectionFlag;
  unsigned long long* const argRegs[] = {&regs.rdi, &regs.rsi, &regs.rdx,
                                         &regs.rcx, &regs.r8,  &regs.r9};
  size_t i = 0;
  for (const uint64_t a : args) *argRegs[i++] = a;
  if (ptrace(PTRACE_SETREGS, m_tid, nullptr, &regs) != 0 ||
      ptrace(PTRACE_CONT, m_tid, nullptr, nullptr) != 0) {
    m_failure = std::string("cannot start the call: ") + std::strerror(errno);
    return Outcome::Gone;
  }
  m_stopped = false;
  const uint64_t start = nowNs();
  for (;;) {
    int status = 0;
    const uint64_t spent = nowNs() - start;
    const uint64_t left =
        timeoutNs == UINT64_MAX ? UINT64_MAX : (spent < timeoutNs ? timeoutNs - spent : 0);
    const Outcome o = waitForStop(left, &status);
    if (o == Outcome::Timeout) {
      m_failure = "the call did not return in time";
      return o;
    }
    if (o != Outcome::Done) return o;
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    if (event == PTRACE_EVENT_STOP) {
      // A group stop (the process was stopped meanwhile): the call goes on; the thread
      // rejoins the stop once it is let go.
      ptrace(PTRACE_CONT, m_tid, nullptr, nullptr);
      continue;
    }
    if (isStopSignal(sig)) {  // SIGSTOP cannot be blocked: let it stop the process
      ptrace(PTRACE_CONT, m_tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
      continue;
    }
    m_stopped = true;
    user_regs_struct after{};
    ptrace(PTRACE_GETREGS, m_tid, nullptr, &after);
    if (sig == SIGSEGV && after.rip == 0 && after.rsp == frame + 8) {
      *result = after.rax;
      return Outcome::Done;
    }
    m_failure = std::string("the called function stopped with ") + strsignal(sig) +
                fmt::format(" at {:#x} (rsp {:#x}, expected {:#x}; fn {:#x})", after.rip, after.rsp,
                            frame + 8, fn);
    return Outcome::Crashed;
  }
}

bool TracedThread::resume() {
  if (!m_seized) return false;
  bool ok = true;
  if (m_stopped) {
    if (m_borrowed) {
      ok = ptrace(PTRACE_SETREGS, m_tid, nullptr, &m_saved) == 0;
      iovec io{m_xstate.data(), m_xstate.size()};
      if (m_fpOnly) {
        ptrace(PTRACE_SETFPREGS, m_tid, nullptr, m_xstate.data());
      } else {
        ptrace(PTRACE_SETREGSET, m_tid, reinterpret_cast<void*>(NT_X86_XSTATE), &io);
      }
      ptrace(PTRACE_SETSIGMASK, m_tid, reinterpret_cast<void*>(sizeof(m_sigmask)), &m_sigmask);
    } else {
      ptrace(PTRACE_SETREGS, m_tid, nullptr, &m_saved);  // the EINTR fix, if any
    }
  }
  // The fault that ended the last call is not delivered: detaching passes no signal.
  ptrace(PTRACE_DETACH, m_tid, nullptr, nullptr);
  m_seized = false;
  m_stopped = false;
  m_borrowed = false;
  return ok;
}

bool TracedThread::read(uint64_t address, void* out, size_t size) const {
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(address), size};
  return process_vm_readv(m_pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

bool TracedThread::write(uint64_t address, const void* data, size_t size) const {
  iovec local{const_cast<void*>(data), size};
  iovec remote{reinterpret_cast<void*>(address), size};
  return process_vm_writev(m_pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size);
}

std::string TracedThread::readString(uint64_t address, size_t max) const {
  std::string out;
  char chunk[256];
  while (out.size() < max) {
    // Byte by byte where a chunk would cross into an unmapped page.
    if (!read(address + out.size(), chunk, sizeof(chunk))) {
      char c;
      if (!read(address + out.size(), &c, 1) || c == '\0') break;
      out += c;
      continue;
    }
    const size_t n = strnlen(chunk, sizeof(chunk));
    out.append(chunk, n);
    if (n < sizeof(chunk)) break;
  }
  return out;
}

}  // namespace slowburn::analyze::attach
