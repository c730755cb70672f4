#pragma once
// `slowburn run`: starts a command under the preload, waits for it, and finds the dumps it
// left behind. The report itself is printed by the caller.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slowburn::analyze {

struct RunSettings {
  std::vector<std::string> command;  // argv; command[0] is looked up in PATH
  std::string outDir = ".";          // dumps go to OUTDIR/env::kDefaultDumpName
  // Each sets one variable of the environment contract (slowburn/environment.hpp).
  std::optional<uint64_t> intervalMs;
  std::optional<uint64_t> depth;
  std::optional<uint64_t> sampleBytes;
  std::optional<std::string> syscalls;
  std::string preloadPath;  // libslowburn.so; findPreload() when empty
};

struct RunOutcome {
  pid_t pid = -1;
  int exitStatus = 0;   // the child's exit code, or 128 + signal when a signal killed it
  std::string topDump;  // the dump of the process started; "" when none was written
  std::vector<std::string> otherDumps;  // of its children and earlier exec images
};

// libslowburn.so next to this executable, or in <prefix>/lib or <prefix>/lib/slowburn (where
// make install puts it beside slowburn-collector) for <prefix>/bin/slowburn.
// Throws std::runtime_error naming the places looked at when neither exists.
std::string findPreload();

// Runs the command to completion. While it runs, SIGINT and SIGQUIT are left to it (as
// system(3) does) so ^C stops the program, not the report. Throws std::runtime_error when
// the command cannot be started at all.
RunOutcome runProfiled(const RunSettings& settings);

// The shell's convention for a wait(2) status: exit code, or 128 + signal number.
int exitStatusOf(int waitStatus);

}  // namespace slowburn::analyze
