#include "commands/attach_command.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "attach/injector.hpp"
#include "attach/proc_facts.hpp"
#include "commands/run_command.hpp"

namespace slowburn::analyze {
namespace fs = std::filesystem;

namespace {

constexpr double kMaxDurationS = 366.0 * 24 * 3600;
constexpr uint64_t kPollNs = 50000000;                    // how often the process is looked at
constexpr uint64_t kCollectorEndWaitNs = 15000000000ull;  // for the collector to end

std::atomic<int> s_stopSignal{0};

void onStopSignal(int sig) { s_stopSignal.store(sig); }

uint64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void sleepNs(uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1000000000ull), static_cast<long>(ns % 1000000000ull)};
  nanosleep(&ts, nullptr);
}

// Ctrl-C, SIGTERM and SIGHUP end the window; while a thread of the process is borrowed
// they only take effect once it is given back.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &action, &m_old[i]);
  }
  ~StopSignals() {
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &m_old[i], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction m_old[3];
};

std::string collectorBeside(const std::string& library) {
  const fs::path collector = fs::path(library).parent_path() / "slowburn-collector";
  if (access(collector.c_str(), X_OK) != 0) {
    throw std::runtime_error(
        fmt::format("{} not found beside {}: install both (make install) or run the slowburn of "
                    "the build tree",
                    collector.string(), library));
  }
  return collector.string();
}

// The absolute dump pattern the process's collector expands (%p, %e).
std::string dumpPattern(const std::string& out) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (out.empty()) return (cwd / "slowburn.%e.%p.sb").string();
  fs::path p = fs::absolute(out, ec);
  if (fs::is_directory(p, ec)) p /= "slowburn.%e.%p.sb";
  if (!fs::is_directory(p.parent_path(), ec))
    throw std::runtime_error("the dump's directory " + p.parent_path().string() +
                             " does not exist");
  return p.string();
}

std::string settingsBlock(const AttachSettings& s, const std::string& pattern) {
  std::string block = "SLOWBURN_OUT=" + pattern;
  block.push_back('\0');
  if (s.intervalMs) {
    block += "SLOWBURN_INTERVAL_MS=" + std::to_string(*s.intervalMs);
    block.push_back('\0');
  }
  if (s.sampleBytes) {
    block += "SLOWBURN_SAMPLE_BYTES=" + std::to_string(*s.sampleBytes);
    block.push_back('\0');
  }
  return block;
}

// The library's answer: its first line, and its messages without their "slowburn: ".
struct Answer {
  std::string status;
  std::vector<std::string> messages;
  bool ok() const { return status.rfind("ok", 0) == 0; }
  std::string joined() const {
    std::string all;
    for (const std::string& m : messages) all += (all.empty() ? "" : "; ") + m;
    return all.empty() ? "the library gave no reason" : all;
  }
  uint64_t field(const std::string& name) const {
    const size_t at = status.find(" " + name + "=");
    return at == std::string::npos ? 0 : std::stoull(status.substr(at + name.size() + 2));
  }
};

Answer parseAnswer(const std::string& text) {
  Answer a;
  std::istringstream lines(text);
  std::getline(lines, a.status);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("slowburn: ", 0) == 0) line.erase(0, 10);
    if (!line.empty()) a.messages.push_back(line);
  }
  return a;
}

// The dump the collector holds open: the one regular file among its descriptors, found by
// its identity in the dump's directory (an unnamed file gets its name by link).
std::string dumpOf(pid_t collector, const std::string& pattern) {
  std::error_code ec;
  const fs::path fdDir = fmt::format("/proc/{}/fd", collector);
  for (const auto& entry : fs::directory_iterator(fdDir, ec)) {
    struct stat st {};
    if (stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    for (const auto& file : fs::directory_iterator(fs::path(pattern).parent_path(), ec)) {
      struct stat candidate {};
      if (stat(file.path().c_str(), &candidate) == 0 && candidate.st_dev == st.st_dev &&
          candidate.st_ino == st.st_ino) {
        return file.path().string();
      }
    }
  }
  return "";
}

bool libraryMapped(pid_t pid, const std::string& library) {
  for (const attach::MappedFile& f : attach::mappedFiles(pid))
    if (f.path == library) return true;
  return false;
}

// The collector ends by itself once the dump is finished, or the process is gone or exec'd.
void awaitCollector(pid_t collector, uint64_t startTicks) {
  const uint64_t start = nowNs();
  while (attach::sameProcessAlive(collector, startTicks) && nowNs() - start < kCollectorEndWaitNs)
    sleepNs(kPollNs);
}

double ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

double parseDuration(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("bad duration '" + text + "' (examples: 30, 30s, 500ms, 2m, 1h)");
  }
  const std::string unit = text.substr(used);
  const double scale = unit.empty() || unit == "s" ? 1
                       : unit == "ms"              ? 1e-3
                       : unit == "m"               ? 60
                       : unit == "h"               ? 3600
                                                   : -1;
  const double seconds = value * scale;
  if (scale < 0 || !std::isfinite(seconds) || seconds <= 0 || seconds > kMaxDurationS)
    throw std::invalid_argument("bad duration '" + text + "' (examples: 30, 30s, 500ms, 2m, 1h)");
  return seconds;
}

CLI::App* addAttachCommand(CLI::App& app, AttachSettings& s) {
  CLI::App* cmd = app.add_subcommand(
      "attach", "Profile a running process for a while, then report (no restart needed)");
  cmd->add_option("pid", s.pid, "the process to attach to")
      ->required()
      ->check(CLI::Range(1, 1 << 30).description(""))
      ->type_name("PID");
  cmd->add_option("--duration", s.duration,
                  "how long to record: 30 (seconds), 500ms, 2m, 1h (default: until Ctrl-C or "
                  "the process ends)")
      ->type_name("D")
      ->check(CLI::Validator(
          [](std::string& v) {
            try {
              parseDuration(v);
              return std::string();
            } catch (const std::exception& e) {
              return std::string(e.what());
            }
          },
          "", ""));
  cmd->add_option("-o,--out", s.out,
                  "dump path (%p pid, %e executable name; a directory gets "
                  "slowburn.<exe>.<pid>.sb; default: that name here)")
      ->type_name("DUMP");
  cmd->add_option("--interval", s.intervalMs, "snapshot interval in ms (default 100)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32).description(""))
      ->type_name("MS");
  cmd->add_option("--sample-bytes", s.sampleBytes,
                  "sample one allocation per N bytes (0, default: record all)")
      ->type_name("N");
  cmd->footer(
      "Loads libslowburn.so into the process with ptrace (as root, the same user, or with\n"
      "CAP_SYS_PTRACE), records from now on, and on detach puts every redirected call back:\n"
      "the process goes on exactly as before. The report goes to stderr, as for run.\n"
      "Example: slowburn attach $(pidof server) --duration 2m");
  return cmd;
}

AttachOutcome attachAndRecord(const AttachSettings& settings) {
  const pid_t pid = settings.pid;
  if (pid == getpid()) throw std::runtime_error("slowburn cannot attach to itself");
  const std::optional<attach::ProcessFacts> target = attach::readProcess(pid);
  if (!target) throw std::runtime_error(fmt::format("no process {}", pid));
  const std::string library = settings.preloadPath.empty() ? findPreload() : settings.preloadPath;
  collectorBeside(library);
  const std::string pattern = dumpPattern(settings.out);
  const double durationS = settings.duration.empty() ? 0 : parseDuration(settings.duration);

  attach::Injector injector(*target, library);
  StopSignals stopSignals;
  s_stopSignal.store(0);
  AttachOutcome outcome;
  const uint64_t attachStart = nowNs();
  const Answer started = parseAnswer(injector.start(settingsBlock(settings, pattern)));
  const uint64_t attachNs = nowNs() - attachStart;
  if (!started.ok())
    throw std::runtime_error(fmt::format("cannot record process {}: {}", pid, started.joined()));
  const auto collector = static_cast<pid_t>(started.field("collector"));
  const std::optional<attach::ProcessFacts> collectorFacts = attach::readProcess(collector);
  outcome.dump = dumpOf(collector, pattern);
  for (const std::string& m : started.messages) outcome.notes.push_back(m);
  fmt::print(stderr,
             "slowburn: attached to {} ({}) in {:.1f} ms (thread {} stopped {:.2f} ms); {} "
             "calls redirected; recording{} to {}\n",
             pid, target->comm, ms(attachNs), injector.borrowedThread(), ms(injector.borrowedNs()),
             started.field("entries"),
             durationS > 0 ? fmt::format(" for {} s", durationS) : std::string(" until Ctrl-C"),
             outcome.dump.empty() ? pattern : outcome.dump);

  const uint64_t deadline =
      durationS > 0 ? attachStart + static_cast<uint64_t>(durationS * 1e9) : UINT64_MAX;
  bool gone = false, replaced = false;
  for (unsigned round = 0; s_stopSignal.load() == 0 && nowNs() < deadline; ++round) {
    sleepNs(std::min<uint64_t>(kPollNs, deadline - std::min(deadline, nowNs())));
    if (!attach::sameProcessAlive(pid, target->startTicks)) {
      gone = true;
      break;
    }
    if (round % 5 == 4 && !libraryMapped(pid, library)) {
      replaced = true;
      break;
    }
  }
  if (!gone && !replaced) {
    const uint64_t detachStart = nowNs();
    try {
      const Answer stopped = parseAnswer(injector.stop());
      if (!stopped.ok())
        throw std::runtime_error(fmt::format("cannot detach: {}", stopped.joined()));
      for (const std::string& m : stopped.messages) outcome.notes.push_back(m);
      fmt::print(stderr,
                 "slowburn: detached in {:.1f} ms (thread {} stopped {:.2f} ms); {} calls "
                 "restored\n",
                 ms(nowNs() - detachStart), injector.borrowedThread(), ms(injector.borrowedNs()),
                 stopped.field("restored"));
    } catch (const std::runtime_error&) {
      // It may have exited or exec'd in the meantime; otherwise the failure stands.
      gone = !attach::sameProcessAlive(pid, target->startTicks);
      replaced = !gone && !libraryMapped(pid, library);
      if (!gone && !replaced) throw;
    }
  }
  if (gone || replaced) {
    outcome.notes.push_back(
        gone ? fmt::format("process {} ended while attached: its dump was finished as at any exit",
                           pid)
             : fmt::format("process {} exec'd another program while attached: the dump ends there",
                           pid));
  }
  // Not the process's child, nobody in it waits for the collector: this command does, so no
  // process of slowburn outlives it.
  if (collectorFacts) awaitCollector(collector, collectorFacts->startTicks);
  if (outcome.dump.empty()) outcome.dump = dumpOf(collector, pattern);
  if (outcome.dump.empty())
    throw std::runtime_error(
        fmt::format("the dump of process {} ({}) was not found", pid, pattern));
  return outcome;
}

}  // namespace slowburn::analyze
