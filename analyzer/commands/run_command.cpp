#include "commands/run_command.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "output/terminal.hpp"
#include "slowburn/environment.hpp"

namespace slowburn::analyze {
namespace fs = std::filesystem;

namespace {

bool isDumpName(const std::string& name) {
  return name.starts_with(env::kDumpPrefix) && name.ends_with(env::kDumpSuffix);
}

std::set<std::string> dumpsIn(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && isDumpName(name)) names.insert(name);
  }
  return names;
}

// The default name with this pid, or with the recorder's numeric suffix before the ending.
bool namesPid(const std::string& name, pid_t pid) {
  std::string stem = name.substr(0, name.size() - env::kDumpSuffix.size());
  const std::string tag = fmt::format(".{}", pid);
  if (stem.ends_with(tag)) return true;
  const size_t dot = stem.rfind('.');
  if (dot == std::string::npos) return false;
  const std::string suffix = stem.substr(dot + 1);
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (suffix.empty() || !std::all_of(suffix.begin(), suffix.end(), digit)) return false;
  return stem.substr(0, dot).ends_with(tag);
}

[[noreturn]] void childExec(const RunSettings& settings, const std::string& preload,
                            const std::string& outPattern, const sigset_t& oldMask) {
  signal(SIGINT, SIG_DFL);
  signal(SIGQUIT, SIG_DFL);
  sigprocmask(SIG_SETMASK, &oldMask, nullptr);
  const char* existing = std::getenv("LD_PRELOAD");
  const std::string ldPreload =
      existing != nullptr && existing[0] != '\0' ? preload + " " + existing : preload;
  setenv("LD_PRELOAD", ldPreload.c_str(), 1);
  setenv(env::kOut.name, outPattern.c_str(), 1);
  const auto setNumber = [](const env::NumberSetting& setting, const std::optional<uint64_t>& v) {
    if (v) setenv(setting.name, std::to_string(*v).c_str(), 1);
  };
  setNumber(env::kIntervalMs, settings.intervalMs);
  setNumber(env::kDepth, settings.depth);
  setNumber(env::kSampleBytes, settings.sampleBytes);
  if (settings.syscalls) setenv(env::kSyscalls.name, settings.syscalls->c_str(), 1);

  std::vector<char*> argv;
  for (const std::string& a : settings.command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  const int err = errno;
  const std::string msg = fmt::format("slowburn: error: cannot run {}: {}\n",
                                      printable(settings.command[0]), std::strerror(err));
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, msg.data(), msg.size());
  // The shell's codes: 127 not found, 126 found but not executable.
  _exit(err == ENOENT ? 127 : 126);
}

}  // namespace

int exitStatusOf(int waitStatus) {
  if (WIFEXITED(waitStatus)) return WEXITSTATUS(waitStatus);
  if (WIFSIGNALED(waitStatus)) return 128 + WTERMSIG(waitStatus);
  return 1;
}

std::string findPreload() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this executable: " + ec.message());
  const fs::path bin = self.parent_path();
  const std::vector<fs::path> candidates = {
      bin / "libslowburn.so",
      bin.parent_path() / "lib" / "libslowburn.so",
      bin.parent_path() / "lib" / "slowburn" / "libslowburn.so",
  };
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  std::string looked;
  for (const fs::path& p : candidates) looked += (looked.empty() ? "" : ", ") + p.string();
  throw std::runtime_error("libslowburn.so not found (looked at " + looked + ")");
}

RunOutcome runProfiled(const RunSettings& settings) {
  if (settings.command.empty()) throw std::runtime_error("no command to run (after --)");
  const std::string preload = settings.preloadPath.empty() ? findPreload() : settings.preloadPath;
  std::error_code ec;
  const fs::path outDir = fs::absolute(settings.outDir, ec);
  const std::string outPattern = (outDir / env::kDefaultDumpName).string();
  // The preload would ignore a longer pattern and write its dump elsewhere.
  if (!ec && !env::validOut(outPattern.c_str())) {
    throw std::runtime_error(fmt::format("--out: expected {} for the dump, not one of {} bytes",
                                         env::kOut.expected, outPattern.size()));
  }
  fs::create_directories(outDir, ec);
  if (ec || !fs::is_directory(outDir)) {
    throw std::runtime_error("output directory " + settings.outDir + " is not usable");
  }
  const std::set<std::string> before = dumpsIn(outDir);

  // Block ^C and ^\ across fork so neither side can die of one before it is ready.
  sigset_t stopSignals, oldMask;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGQUIT);
  sigprocmask(SIG_BLOCK, &stopSignals, &oldMask);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    sigprocmask(SIG_SETMASK, &oldMask, nullptr);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(err));
  }
  if (pid == 0) childExec(settings, preload, outPattern, oldMask);

  struct sigaction ignore {
  }, oldInt{}, oldQuit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &oldInt);
  sigaction(SIGQUIT, &ignore, &oldQuit);
  sigprocmask(SIG_SETMASK, &oldMask, nullptr);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &oldInt, nullptr);
  sigaction(SIGQUIT, &oldQuit, nullptr);

  RunOutcome outcome;
  outcome.pid = pid;
  outcome.exitStatus = exitStatusOf(status);
  // The process started keeps its pid across exec; the newest dump with it is its last image.
  fs::file_time_type newest{};
  for (const std::string& name : dumpsIn(outDir)) {
    if (before.count(name) != 0) continue;
    const fs::path path = outDir / name;
    if (namesPid(name, pid)) {
      const fs::file_time_type mtime = fs::last_write_time(path, ec);
      if (outcome.topDump.empty() || mtime > newest) {
        if (!outcome.topDump.empty()) outcome.otherDumps.push_back(outcome.topDump);
        outcome.topDump = path.string();
        newest = mtime;
        continue;
      }
    }
    outcome.otherDumps.push_back(path.string());
  }
  std::sort(outcome.otherDumps.begin(), outcome.otherDumps.end());
  return outcome;
}

}  // namespace slowburn::analyze
