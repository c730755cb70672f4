#include "attach/injector.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <stdexcept>

#include "attach/permission.hpp"
#include "attach/safe_point.hpp"
#include "attach/traced_thread.hpp"

namespace slowburn::analyze::attach {
namespace {

constexpr uint64_t kStopWaitNs = 1000000000ull;        // a thread takes this long to stop at most
constexpr uint64_t kSafePointWaitNs = 10000000000ull;  // to find a thread at a safe point
// A call that has begun is waited for however long it takes: a thread let go in the
// middle of one would return into nothing.
constexpr uint64_t kCallWaitNs = UINT64_MAX;
constexpr size_t kScratchBytes = 512 * 1024;
constexpr size_t kDataBytes = 64 * 1024;  // at the bottom of the scratch area; the stack above

uint64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

[[noreturn]] void refuse(const std::string& why) { throw std::runtime_error(why); }

std::string fileName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Threads to try first: running ones (no system call to interrupt), then sleeping ones.
std::vector<pid_t> candidates(pid_t pid, std::mt19937& random) {
  std::vector<pid_t> running, sleeping;
  for (const pid_t tid : threadsOf(pid)) {
    const char state = threadState(pid, tid);
    if (state == 'R') running.push_back(tid);
    if (state == 'S') sleeping.push_back(tid);
  }
  std::shuffle(running.begin(), running.end(), random);
  running.insert(running.end(), sleeping.begin(), sleeping.end());
  return running;
}

// A thread borrowed for a few calls, with a scratch area of its own.
struct Borrowed {
  TracedThread& thread;
  uint64_t scratch = 0;
  uint64_t dataUsed = 0;

  // On the scratch stack once there is one (ownStack: on the thread's, as munmap of the
  // scratch area itself must be).
  uint64_t call(uint64_t fn, std::initializer_list<uint64_t> args, uint64_t timeoutNs,
                bool ownStack = false) {
    uint64_t result = 0;
    const uint64_t stack = scratch != 0 && !ownStack ? scratch + kScratchBytes : 0;
    if (thread.call(fn, args, stack, &result, timeoutNs) != Outcome::Done)
      refuse("a call into the process failed: " + thread.failure());
    return result;
  }
  uint64_t put(const void* data, size_t size) {
    const uint64_t at = scratch + dataUsed;
    if (dataUsed + size > kDataBytes || !thread.write(at, data, size))
      refuse("cannot write into the process's memory");
    dataUsed += (size + 15) & ~size_t{15};
    return at;
  }
};

}  // namespace

Injector::Injector(const ProcessFacts& target, const std::string& library)
    : m_target(target), m_library(library) {
  const pid_t pid = target.pid;
  if (target.state == 'Z' || target.state == 'X') refuse(fmt::format("process {} has exited", pid));
  if (isKernelThread(target))
    refuse(
        fmt::format("process {} ({}) is a kernel thread: nothing to attach to", pid, target.comm));
  if (const std::string why = refusalBeforeTracing(target); !why.empty()) refuse(why);
  const std::vector<MappedFile> files = mappedFiles(pid);
  if (!files.empty() && !memoryReadable(pid, files.front().start))
    refuse(explainSeizeFailure(target, errno == ESRCH ? ESRCH : EPERM));
  if (findMapped(files, "ld-linux") == nullptr && findMapped(files, "ld64.so") == nullptr) {
    refuse(
        fmt::format("process {} ({}) is statically linked: it has no dynamic loader to load "
                    "libslowburn.so with; profile it from its start with slowburn run instead",
                    pid, fileName(target.exe)));
  }
  const MappedFile* libc = findMapped(files, "libc.so.6");
  if (libc == nullptr) {
    refuse(
        fmt::format("process {} ({}) does not use glibc (no libc.so.6): slowburn attach "
                    "needs glibc's loader",
                    pid, fileName(target.exe)));
  }
  m_libc = *libc;
  // The library must be the same file in the process's filesystem (a container has its own).
  struct stat ours {
  }, theirs{};
  const std::string seen = fmt::format("/proc/{}/root{}", pid, library);
  if (stat(library.c_str(), &ours) != 0 || stat(seen.c_str(), &theirs) != 0 ||
      ours.st_dev != theirs.st_dev || ours.st_ino != theirs.st_ino) {
    refuse(fmt::format(
        "process {} does not see {} (it runs in another filesystem, a container?): put "
        "libslowburn.so and slowburn-collector into its filesystem and run slowburn attach "
        "from there",
        pid, library));
  }
  m_libcSymbols =
      std::make_unique<DynamicSymbols>(fmt::format("/proc/{}/root{}", pid, m_libc.path));
  m_librarySymbols = std::make_unique<DynamicSymbols>(library);
}

Injector::~Injector() = default;

std::unique_ptr<TracedThread> Injector::borrowThread() {
  const pid_t pid = m_target.pid;
  const std::vector<MappedFile> files = mappedFiles(pid);
  SafePoints safe(pid, files, *m_libcSymbols, m_libc.base, m_libc);
  std::mt19937 random(static_cast<unsigned>(nowNs()));
  const uint64_t start = nowNs();
  std::string lastReason = "no thread could be stopped";
  for (unsigned round = 0; nowNs() - start < kSafePointWaitNs; ++round) {
    if (!sameProcessAlive(pid, m_target.startTicks)) refuse(fmt::format("process {} exited", pid));
    for (const pid_t tid : candidates(pid, random)) {
      auto thread = std::make_unique<TracedThread>(pid, tid);
      if (const int err = thread->seize(); err != 0) {
        if (err == ESRCH) continue;  // the thread ended meanwhile
        refuse(explainSeizeFailure(m_target, err));
      }
      const Outcome o = thread->stop(kStopWaitNs);
      if (o != Outcome::Done) {
        if (!thread->failure().empty()) lastReason = thread->failure();
        continue;  // destroying it lets the thread go
      }
      const std::string why = safe.verdict(tid);
      if (why.empty()) return thread;
      lastReason = fmt::format("thread {}: {}", tid, why);
    }
    // Busy threads leave the allocator within microseconds: try again a little later.
    timespec pause{0, static_cast<long>(200000 + random() % 2000000)};
    nanosleep(&pause, nullptr);
  }
  refuse(
      fmt::format("no thread of process {} reached a safe point in {} s ({}); nothing was "
                  "changed",
                  pid, kSafePointWaitNs / 1000000000ull, lastReason));
}

uint64_t Injector::libraryEntry(const char* name) {
  const MappedFile* lib = nullptr;
  const std::vector<MappedFile> files = mappedFiles(m_target.pid);
  for (const MappedFile& f : files)
    if (f.path == m_library) lib = &f;
  const std::optional<uint64_t> offset = m_librarySymbols->find(name);
  if (lib == nullptr || !offset) refuse(fmt::format("{} is not loaded in the process", m_library));
  return lib->base + *offset;
}

std::string Injector::callEntry(const char* name, const std::string* settings) {
  const auto libcFn = [this](const char* fn) {
    const std::optional<uint64_t> v = m_libcSymbols->find(fn);
    if (!v) refuse(fmt::format("the process's libc has no {}()", fn));
    return m_libc.base + *v;
  };
  const uint64_t mmapFn = libcFn("mmap"), munmapFn = libcFn("munmap");
  const uint64_t errnoFn = libcFn("__errno_location"), dlopenFn = libcFn("dlopen");
  const uint64_t dlerrorFn = libcFn("dlerror");

  std::unique_ptr<TracedThread> thread = borrowThread();
  m_borrowedTid = thread->tid();
  Borrowed b{*thread};
  const uint64_t scratch = b.call(mmapFn,
                                  {0, kScratchBytes, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, static_cast<uint64_t>(-1), 0},
                                  kCallWaitNs);
  if (scratch == reinterpret_cast<uint64_t>(MAP_FAILED)) refuse("the process could not map memory");
  b.scratch = scratch;
  const uint64_t errnoAddress = b.call(errnoFn, {}, kCallWaitNs);
  int savedErrno = 0;
  thread->read(errnoAddress, &savedErrno, sizeof(savedErrno));

  std::string answer;
  if (settings != nullptr) {
    const uint64_t path = b.put(m_library.c_str(), m_library.size() + 1);
    if (b.call(dlopenFn, {path, RTLD_NOW | RTLD_NODELETE}, kCallWaitNs) == 0) {
      const uint64_t message = b.call(dlerrorFn, {}, kCallWaitNs);
      answer = "error\nslowburn: cannot load " + m_library + " into the process: " +
               (message != 0 ? thread->readString(message, 1024) : std::string("unknown error"));
    }
  }
  if (answer.empty()) {
    const uint64_t entry = libraryEntry(name);
    uint64_t argument = 0;
    if (settings != nullptr) {
      std::string block = *settings;
      block.push_back('\0');
      argument = b.put(block.data(), block.size());
    }
    const uint64_t text = b.call(entry, {argument}, kCallWaitNs);
    answer = text != 0 ? thread->readString(text, 16384) : "error\n";
  }
  b.call(munmapFn, {scratch, kScratchBytes}, kCallWaitNs, true);
  thread->write(errnoAddress, &savedErrno, sizeof(savedErrno));
  thread->resume();
  m_borrowedNs = nowNs() - thread->stoppedAtNs();
  return answer;
}

std::string Injector::start(const std::string& settings) {
  return callEntry("slowburn_attach_start", &settings);
}

std::string Injector::stop() { return callEntry("slowburn_attach_stop", nullptr); }

}  // namespace slowburn::analyze::attach
