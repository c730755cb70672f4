#include "commands/watched_process.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace slowburn::analyze {
namespace {

// A process's start is known to the clock tick and the boot time to the second.
constexpr double kStartSlackS = 2.0;

// Boot time in seconds since the epoch (/proc/stat's btime), 0 when unknown.
double bootTimeS() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

bool processGone(uint64_t pid, uint64_t startRealtimeNs) {
  if (pid == 0) return true;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return true;
  // proc(5): "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return true;
  std::istringstream fields(line.substr(close + 1));
  std::string state;
  fields >> state;
  if (state == "Z" || state == "X" || state == "x") return true;
  // Field 22, starttime, is the 20th after the state: clock ticks since boot.
  std::string skip;
  for (int i = 0; i < 18 && fields >> skip; ++i) {
  }
  double startTicks = 0;
  const double boot = bootTimeS();
  if (!(fields >> startTicks) || boot == 0) return false;
  const double startS = boot + startTicks / static_cast<double>(sysconf(_SC_CLK_TCK));
  return startS > static_cast<double>(startRealtimeNs) / 1e9 + kStartSlackS;
}

}  // namespace slowburn::analyze
