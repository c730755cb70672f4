#include "commands/watch_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "commands/watched_process.hpp"
#include "output/frame_text.hpp"
#include "output/metrics_server.hpp"
#include "output/metrics_text.hpp"
#include "output/metrics_textfile.hpp"
#include "output/terminal.hpp"
#include "output/units.hpp"
#include "rank/analysis.hpp"
#include "read/dump_reader.hpp"
#include "read/live_profile.hpp"

namespace slowburn::analyze {
namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

// How often the dump is looked at: END and a dead process are noticed this fast.
constexpr Seconds kPoll{0.2};
// A process that has just started may not have written its HEADER yet.
constexpr Seconds kHeaderWait{5.0};
// After the process is gone its collector still writes a last snapshot: the watch ends once
// the dump has been quiet this long, or two snapshot intervals if they are longer.
constexpr Seconds kQuietAfterGone{1.0};
constexpr double kRankShare = 3.0;  // wall time between rankings per second of ranking

std::atomic<bool> s_stopRequested{false};

void requestStop(int) { s_stopRequested = true; }

// SIGINT and SIGTERM end the watch cleanly (the textfile is removed, the server stopped);
// SIGPIPE from a scraper that hung up must not end it at all.
void installSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = requestStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// Identifies a program line across rankings: everything that makes it a location.
std::string lineKey(const Frame& where) {
  return fmt::format("{}\n{}\n{}\n{}\n{:x}", where.function, where.file, where.line, where.module,
                     where.file.empty() ? where.offset : 0);
}

// The textfile is named after the dump, so each watched process gets a file of its own.
std::string textfileName(const std::string& dump) {
  std::string name = fileBasename(dump);
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".sb") == 0) name.resize(name.size() - 3);
  return name;
}

class Watch {
 public:
  Watch(const WatchSettings& settings, std::FILE* out, std::FILE* err)
      : m_settings(settings), m_out(out), m_err(err), m_follower(settings.dump, m_profile) {
    if (!settings.metricsListen.empty()) {
      m_server.emplace(parseListenAddress(settings.metricsListen));
      fmt::print(m_err, "slowburn: serving Prometheus metrics on {}\n", m_server->url());
    }
    if (!settings.textfileDir.empty()) {
      m_textfile =
          std::make_unique<MetricsTextfile>(settings.textfileDir, textfileName(settings.dump));
    }
    m_options.wholeStack = [](const RankedSite&, const SiteProfile&) { return false; };
  }

  int run() {
    const Clock::time_point start = Clock::now();
    Clock::time_point lastRank{};
    Clock::time_point lastGrowth = start;
    uint64_t lastBytes = 0;
    bool announced = false;
    while (!s_stopRequested) {
      m_follower.poll();
      const Clock::time_point now = Clock::now();
      if (m_follower.summary().records == 0) {
        if (now - start > kHeaderWait)
          throw DumpError(
              fmt::format("{}: no HEADER after {:.0f} s: not the dump of a running "
                          "process",
                          m_settings.dump, kHeaderWait.count()));
        std::this_thread::sleep_for(kPoll);
        continue;
      }
      if (!announced) {
        announce();
        announced = true;
      }
      if (m_follower.summary().bytes != lastBytes) {
        lastBytes = m_follower.summary().bytes;
        lastGrowth = now;
      }
      const bool ended = m_follower.ended();
      const bool gone = !ended && now - lastGrowth >= quietAfterGone() &&
                        processGone(m_profile.header().pid, m_profile.header().startRealtimeNs);
      if (ended || gone || now - lastRank >= m_rankEvery) {
        rank();
        lastRank = now;
        // A dump of a big program takes seconds to rank (every site is symbolized again):
        // rank at most a third of the time, so the watch never takes a core of its own.
        m_rankEvery =
            std::max<Seconds>(Seconds(m_settings.everyS), kRankShare * (Clock::now() - now));
      }
      if (ended || gone) {
        line(ended ? "the process exited: the watch ends"
                   : "the process is gone (no END record): the watch ends");
        return 0;
      }
      std::this_thread::sleep_for(std::min<Seconds>(kPoll, Seconds(m_settings.everyS)));
    }
    return 0;
  }

 private:
  Seconds quietAfterGone() const {
    return std::max(kQuietAfterGone, Seconds(2.0 * m_profile.header().intervalMs / 1000.0));
  }

  void announce() {
    const Header& h = m_profile.header();
    fmt::print(m_err, "slowburn: watching {} (pid {}, {}), ranking every {}\n",
               printable(m_settings.dump), h.pid, printable(h.exe),
               formatDuration(m_settings.everyS));
  }

  // One line on out, stamped with the process's own time, flushed: a pipe reads it now.
  void line(const std::string& text) {
    fmt::print(m_out, "[{}] {}\n", formatDuration(m_lastS), text);
    std::fflush(m_out);
  }

  void rank() {
    auto analysis = analyzeProfile(m_profile.current(m_follower.summary()), m_options);
    m_lastS = analysis->profile().lastSnapshotS;
    const auto alerting = [this](const RankedSite& r) { return overBudget(r, m_settings.budget); };
    std::map<std::string, bool> now;
    for (const RankedSite& r : analysis->sites()) {
      if (!analysis->site(r).isAlloc()) continue;
      const std::string key = lineKey(analysis->location(r));
      const bool growing = alerting(r);
      now[key] = growing;
      const auto before = m_alerting.find(key);
      const bool was = before != m_alerting.end() && before->second;
      if (growing && !was) announceGrowing(*analysis, r);
      if (!growing && was) announceStopped(*analysis, r);
    }
    m_alerting = std::move(now);
    publish(*analysis, alerting);
  }

  void announceGrowing(const Analysis& analysis, const RankedSite& r) {
    line(fmt::format("GROWING {}, confidence {:.2f}: {} (#{})", formatRate(*r.growthBytesPerSec),
                     r.verdict.confidence, printable(frameLabel(analysis.location(r))), r.rank));
  }

  void announceStopped(const Analysis& analysis, const RankedSite& r) {
    std::string now = className(r.verdict.cls);
    if (r.growthBytesPerSec) {
      now += r.verdict.confidence < m_settings.budget.minConfidence
                 ? fmt::format(" with confidence {:.2f}", r.verdict.confidence)
                 : fmt::format(" {}, within the budget", formatRate(*r.growthBytesPerSec));
    }
    line(fmt::format("stopped growing: {} is {} now", printable(frameLabel(analysis.location(r))),
                     now));
  }

  void publish(const Analysis& analysis, const std::function<bool(const RankedSite&)>& growing) {
    if (!m_server && !m_textfile) return;
    MetricsSettings settings;
    settings.top = m_settings.top;
    settings.growing = growing;
    WatchCounters counters;
    counters.snapshots = m_profile.snapshots();
    counters.droppedEvents = m_profile.droppedEvents();
    std::string text = metricsText(analysis, settings, counters);
    if (m_textfile) m_textfile->write(text);
    if (m_server) m_server->publish(std::move(text));
  }

  const WatchSettings& m_settings;
  std::FILE* m_out;
  std::FILE* m_err;
  LiveProfile m_profile;
  DumpFollower m_follower;
  AnalysisOptions m_options;
  std::optional<MetricsServer> m_server;
  std::unique_ptr<MetricsTextfile> m_textfile;
  std::map<std::string, bool> m_alerting;  // by lineKey: alerting at the last ranking
  double m_lastS = 0;                      // process time of the last ranking
  Seconds m_rankEvery{0};                  // --every, or longer when ranking is slow
};

}  // namespace

int runWatch(const WatchSettings& settings, std::FILE* out, std::FILE* err) {
  s_stopRequested = false;
  installSignalHandlers();
  Watch watch(settings, out, err);
  return watch.run();
}

}  // namespace slowburn::analyze
