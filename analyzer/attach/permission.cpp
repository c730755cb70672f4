#include "attach/permission.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace slowburn::analyze::attach {
namespace {

constexpr int kCapSysPtrace = 19;  // linux/capability.h

std::string scopeSetting(int scope) { return fmt::format("kernel.yama.ptrace_scope = {}", scope); }

std::string describe(pid_t pid) {
  const std::optional<ProcessFacts> f = readProcess(pid);
  return f ? fmt::format("{} ({})", pid, f->comm) : std::to_string(pid);
}

}  // namespace

bool hasPtraceCapability() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    const unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
    return (caps >> kCapSysPtrace) & 1u;
  }
  return false;
}

int yamaScope() {
  const std::string value = readFirstLine("/proc/sys/kernel/yama/ptrace_scope");
  if (value.empty()) return -1;
  try {
    return std::stoi(value);
  } catch (const std::exception&) {
    return -1;
  }
}

std::string refusalBeforeTracing(const ProcessFacts& target) {
  const int scope = yamaScope();
  if (scope >= 3) {
    return fmt::format(
        "ptrace is disabled on this machine ({}); only a reboot with a lower setting allows "
        "slowburn attach",
        scopeSetting(scope));
  }
  if (scope == 2 && !hasPtraceCapability()) {
    return fmt::format(
        "only processes with CAP_SYS_PTRACE may trace others here ({}): run slowburn attach as "
        "root (sudo)",
        scopeSetting(scope));
  }
  for (const pid_t tid : threadsOf(target.pid)) {
    if (const pid_t tracer = tracerOf(target.pid, tid); tracer != 0) {
      return fmt::format(
          "process {} is already traced by {} (a debugger or tracer); detach it first: a "
          "thread has one tracer at most",
          target.pid, describe(tracer));
    }
  }
  return "";
}

std::string explainSeizeFailure(const ProcessFacts& target, int err) {
  if (err == ESRCH) return fmt::format("process {} exited", target.pid);
  if (err != EPERM) {
    return fmt::format("cannot trace process {}: {}", target.pid, std::strerror(err));
  }
  const int scope = yamaScope();
  const bool capable = hasPtraceCapability();
  if (scope == 1 && !capable) {
    return fmt::format(
        "{} lets a process trace only its own children: run slowburn attach as root (sudo), "
        "or allow it with 'sysctl kernel.yama.ptrace_scope=0'",
        scopeSetting(scope));
  }
  if (!capable && target.uid != getuid()) {
    return fmt::format(
        "process {} belongs to uid {} and this process lacks CAP_SYS_PTRACE: run slowburn "
        "attach as that user or as root (in a container, add the capability, e.g. docker run "
        "--cap-add=SYS_PTRACE)",
        target.pid, target.uid);
  }
  if (!capable) {
    return fmt::format(
        "ptrace on process {} is not permitted without CAP_SYS_PTRACE (it is not dumpable: "
        "setuid, or prctl(PR_SET_DUMPABLE, 0); or a seccomp policy forbids ptrace): run "
        "slowburn attach as root, or add CAP_SYS_PTRACE to its container",
        target.pid);
  }
  return fmt::format(
      "ptrace on process {} is not permitted (EPERM) even with CAP_SYS_PTRACE: a security "
      "module (SELinux, AppArmor) or a seccomp policy forbids it",
      target.pid);
}

}  // namespace slowburn::analyze::attach
