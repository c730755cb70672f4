// slowburn: the analyzer's command line. Subcommands parse their options here and call
// into the library; every failure becomes one "slowburn: error: ..." line and exit code 2.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "commands/attach_command.hpp"
#include "commands/check.hpp"
#include "commands/diff_command.hpp"
#include "commands/run_command.hpp"
#include "commands/run_flags.hpp"
#include "commands/watch_command.hpp"
#include "output/export_collapsed.hpp"
#include "output/export_csv.hpp"
#include "output/export_json.hpp"
#include "output/export_pprof.hpp"
#include "output/html_report.hpp"
#include "output/progress.hpp"
#include "output/report_text.hpp"
#include "output/terminal.hpp"
#include "output/units.hpp"
#include "rank/analysis.hpp"
#include "read/dump_reader.hpp"
#include "slowburn/format.hpp"

namespace sa = slowburn::analyze;
namespace format = slowburn::format;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitOverBudget = 1;
constexpr int kExitBadInput = 2;

struct ReportOptions {
  size_t top = 10;
  size_t frames = 3;
  bool all = false;
  std::string color = "auto";
};

using WholeStack = std::function<bool(const sa::RankedSite&, const sa::SiteProfile&)>;

// For the outputs that name each site's location only.
bool noWholeStack(const sa::RankedSite&, const sa::SiteProfile&) { return false; }

// pprof samples are the alloc sites' stacks.
bool pprofWholeStack(const sa::RankedSite&, const sa::SiteProfile& s) { return s.isAlloc(); }

// Reads and analyses a dump, with a progress bar when stderr is a TTY and the file is big.
// wholeStack: the sites the output prints with their callers; empty for every site.
std::unique_ptr<const sa::Analysis> analyze(const std::string& path, WholeStack wholeStack) {
  sa::ProgressBar bar = sa::ProgressBar::forFile(path);
  sa::AnalysisOptions options;
  options.wholeStack = std::move(wholeStack);
  if (bar.enabled())
    options.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  try {
    auto analysis = sa::analyzeDump(path, options);
    bar.finish();
    return analysis;
  } catch (const sa::DumpError& e) {
    bar.finish();
    // The reader names the dump; a refusal after reading (the resolve stage's) does not.
    if (std::string_view(e.what()).starts_with(path)) throw;
    throw sa::DumpError(path + ": " + e.what());
  }
}

// One "slowburn: error: ..." line on stderr; the text may hold paths and names.
void printError(std::string_view what) {
  fmt::print(stderr, "slowburn: error: {}\n", sa::printable(what));
}

// Writes each piece of an output to stream as it is made.
sa::TextSink writeTo(std::FILE* stream) {
  return [stream](std::string_view piece) {
    if (std::fwrite(piece.data(), 1, piece.size(), stream) != piece.size()) {
      throw std::runtime_error("cannot write the output");
    }
  };
}

void flushOrThrow(std::FILE* stream) {
  if (std::fflush(stream) != 0) throw std::runtime_error("cannot write the output");
}

// Analyses path, then prints the report to stream.
void report(const std::string& path, const ReportOptions& o, std::FILE* stream) {
  const size_t top = o.all ? std::numeric_limits<size_t>::max() : o.top;
  auto analysis = analyze(
      path, [top](const sa::RankedSite& r, const sa::SiteProfile&) { return r.rank <= top; });
  sa::ReportSettings settings;
  settings.top = o.top;
  settings.all = o.all;
  settings.frames = o.frames;
  settings.color = sa::colorEnabled(sa::parseColorMode(o.color), stream);
  sa::reportText(*analysis, settings, writeTo(stream));
}

void addReportOptions(CLI::App& cmd, ReportOptions& o) {
  cmd.add_option("--top", o.top, "show the N highest-ranked sites")
      ->default_val(10)
      ->check(CLI::Range(size_t{1}, size_t{1} << 24).description(""))
      ->type_name("N")
      ->group("Report");
  cmd.add_flag("--all", o.all, "show every site")->group("Report");
  cmd.add_option("--frames", o.frames, "caller frames shown below each site's location")
      ->default_val(3)
      ->check(CLI::Range(size_t{0}, size_t{format::kMaxFrames}).description(""))
      ->type_name("N")
      ->group("Report");
  cmd.add_option("--color", o.color,
                 "colour the report: auto (a TTY without NO_COLOR), always, never")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "always", "never"}).description(""))
      ->type_name("WHEN")
      ->group("Report");
}

void addDumpArgument(CLI::App& cmd, std::string& dump, const std::string& help) {
  cmd.add_option("dump", dump, help)->required()->type_name("DUMP");
}

// Lists the dumps of child processes and earlier exec images, which the report leaves out.
void listOtherDumps(const sa::RunOutcome& outcome) {
  if (outcome.otherDumps.empty()) return;
  fmt::print(stderr, "{} more dump{} from child processes or earlier exec images:\n",
             outcome.otherDumps.size(), outcome.otherDumps.size() == 1 ? "" : "s");
  for (const std::string& d : outcome.otherDumps) {
    fmt::print(stderr, "  slowburn report {}\n", sa::printable(d));
  }
}

// The report of a dump on stderr, then its name: status, or failed when it cannot be read.
int printReport(const std::string& dump, const ReportOptions& o, int status, int failed) {
  try {
    report(dump, o, stderr);
    fmt::print(stderr, "\ndump: {}\n", sa::printable(dump));
  } catch (const std::exception& e) {
    // The reader's errors name the dump already; others get its name in front.
    const std::string what = e.what();
    const bool named = what.rfind(dump, 0) == 0;
    printError(named ? what : dump + ": " + what);
    return failed;
  }
  return status;
}

int runRun(sa::RunSettings& settings, const ReportOptions& o) {
  const sa::RunOutcome outcome = sa::runProfiled(settings);
  // The command's status comes first; a missing or unreadable dump is exit 2 only when
  // the command itself succeeded.
  const int failed = outcome.exitStatus != 0 ? outcome.exitStatus : kExitBadInput;
  // The report goes to stderr, like time(1): the program's stdout stays its own.
  fmt::print(stderr, "\n");
  if (outcome.topDump.empty()) {
    printError(fmt::format("{} (pid {}) wrote no dump in {}", settings.command[0], outcome.pid,
                           settings.outDir));
    listOtherDumps(outcome);
    return failed;
  }
  const int status = printReport(outcome.topDump, o, outcome.exitStatus, failed);
  listOtherDumps(outcome);
  return status;
}

int runAttach(const sa::AttachSettings& settings, const ReportOptions& o) {
  const sa::AttachOutcome outcome = sa::attachAndRecord(settings);
  for (const std::string& note : outcome.notes) fmt::print(stderr, "slowburn: {}\n", note);
  fmt::print(stderr, "\n");
  return printReport(outcome.dump, o, kExitOk, kExitBadInput);
}

std::string printableBudget(const std::string& rate) {
  std::string out;
  for (char c : rate) {
    if (c != ' ') out += c;
  }
  return out;
}

int runCheck(const std::string& path, const std::string& rate, double minConfidence) {
  sa::CheckSettings settings;
  settings.maxGrowthBytesPerSec = sa::parseRate(rate);
  settings.budgetText = sa::printable(printableBudget(rate));
  settings.minConfidence = minConfidence;
  auto analysis = analyze(path, noWholeStack);
  const sa::CheckResult result = sa::checkBudget(*analysis, settings);
  fmt::print("{}", sa::formatCheck(*analysis, settings, result));
  flushOrThrow(stdout);
  return result.passed() ? kExitOk : kExitOverBudget;
}

int runExport(const std::string& path, const std::string& format, const std::string& value) {
  const sa::CollapsedValue collapsed = sa::parseCollapsedValue(value);
  WholeStack printed;  // JSON: every site
  if (format == "csv") printed = noWholeStack;
  if (format == "pprof") printed = pprofWholeStack;
  if (format == "collapsed") {
    printed = [collapsed](const sa::RankedSite& r, const sa::SiteProfile& s) {
      return sa::collapsedShows(r, s, collapsed);
    };
  }
  auto analysis = analyze(path, std::move(printed));
  const sa::TextSink out = writeTo(stdout);
  if (format == "json") {
    sa::exportJson(*analysis, out);
  } else if (format == "csv") {
    sa::exportCsv(*analysis, out);
  } else if (format == "pprof") {
    out(sa::exportPprof(*analysis));
  } else {
    sa::exportCollapsed(*analysis, collapsed, out);
  }
  flushOrThrow(stdout);
  return kExitOk;
}

int runHtml(const std::string& path, const std::string& outPath, sa::HtmlSettings settings) {
  settings.dumpPath = path;
  const size_t top = settings.top;
  auto analysis = analyze(
      path, [top](const sa::RankedSite& r, const sa::SiteProfile&) { return r.rank <= top; });
  const std::string page = sa::htmlReport(*analysis, settings);
  std::FILE* out = outPath == "-" ? stdout : std::fopen(outPath.c_str(), "wb");
  if (out == nullptr) throw std::runtime_error("cannot write " + outPath);
  const bool written = std::fwrite(page.data(), 1, page.size(), out) == page.size();
  const bool flushed = out == stdout ? std::fflush(out) == 0 : std::fclose(out) == 0;
  if (!written || !flushed) throw std::runtime_error("cannot write " + outPath);
  return kExitOk;
}

int cli(int argc, char** argv) {
  CLI::App app{
      "slowburn finds memory that creeps: it ranks allocation call sites by how steadily their\n"
      "live bytes grow over time, so a small leak outranks a big healthy cache."};
  app.name("slowburn");
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("slowburn 0.1 (dump format {})", format::kVersion));
  app.footer(
      "Exit codes: 0 ok, 1 a check budget exceeded or new growth in diff --fail-on-new-growth,\n"
      "2 bad input or usage.\n"
      "Run 'slowburn COMMAND --help' for the options of one command.");

  std::string dump;
  ReportOptions reportOptions;

  CLI::App* reportCmd = app.add_subcommand(
      "report", "Ranked table of call sites: growth, confidence, sizes, location");
  addDumpArgument(*reportCmd, dump, "dump file written by the preload (slowburn.*.sb)");
  addReportOptions(*reportCmd, reportOptions);
  reportCmd->footer("Example: slowburn report slowburn.server.4242.sb --top 5 --frames 6");

  std::string rate;
  double minConfidence = sa::kDefaultMinConfidence;
  CLI::App* checkCmd =
      app.add_subcommand("check", "CI gate: exit 1 if any site grows faster than a budget");
  addDumpArgument(*checkCmd, dump, "dump file written by the preload");
  checkCmd
      ->add_option("--max-growth", rate,
                   "budget per site: 1MiB/min, 512KiB/s, 10MB/h; a plain number is bytes/s")
      ->required()
      ->type_name("RATE");
  checkCmd
      ->add_option("--min-confidence", minConfidence,
                   "only GROWING sites at least this sure count against the budget")
      ->default_val(sa::kDefaultMinConfidence)
      ->check(CLI::Range(0.0, 1.0).description(""))
      ->type_name("0..1");
  checkCmd->footer(fmt::format(
      "A site fails when it is classified GROWING, its growth rate exceeds the budget and its\n"
      "confidence is at least --min-confidence (default {}).\n"
      "Exit codes: 0 within budget, 1 over budget, 2 bad input (missing or corrupt dump, bad\n"
      "rate).\nExample: slowburn check slowburn.server.4242.sb --max-growth 1MiB/min",
      sa::kDefaultMinConfidence));

  std::string format;
  std::string collapsedValue = "live";
  CLI::App* exportCmd = app.add_subcommand(
      "export", "Machine-readable output on stdout: json, csv, collapsed, pprof");
  addDumpArgument(*exportCmd, dump, "dump file written by the preload");
  exportCmd
      ->add_option("--format", format,
                   "json (slowburn-report), csv, collapsed (flame graph stacks), or pprof\n"
                   "(gzip'd profile.proto for go tool pprof)")
      ->required()
      ->check(CLI::IsMember({"json", "csv", "collapsed", "pprof"}).description(""))
      ->type_name("FORMAT");
  exportCmd
      ->add_option("--value", collapsedValue,
                   "collapsed only: live bytes before exit, site peaks, or alloc counts")
      ->default_val("live")
      ->check(CLI::IsMember({"live", "peak", "allocs"}).description(""))
      ->type_name("live|peak|allocs");
  exportCmd->footer(
      "Examples:\n  slowburn export DUMP --format json | jq '.sites[0]'\n"
      "  slowburn export DUMP --format collapsed | flamegraph.pl > live.svg\n"
      "  slowburn export DUMP --format pprof > heap.pb.gz && go tool pprof -top heap.pb.gz");

  sa::WatchSettings watchSettings;
  std::string watchRate = "0";
  CLI::App* watchCmd = app.add_subcommand(
      "watch", "Follow a running process's dump: alert lines, Prometheus metrics");
  addDumpArgument(*watchCmd, watchSettings.dump, "the dump a running process is writing");
  watchCmd
      ->add_option("--max-growth", watchRate,
                   "alert only above this budget per line: 1MiB/min, 512KiB/s, 10MB/h")
      ->type_name("RATE");
  watchCmd
      ->add_option("--min-confidence", watchSettings.budget.minConfidence,
                   "alert only on GROWING lines at least this sure")
      ->default_val(sa::kDefaultMinConfidence)
      ->check(CLI::Range(0.0, 1.0).description(""))
      ->type_name("0..1");
  watchCmd
      ->add_option("--every", watchSettings.everyS,
                   "seconds between rankings; more while ranking takes over a third")
      ->default_val(5)
      ->check(CLI::Range(0.1, 3600.0).description(""))
      ->type_name("SECONDS");
  watchCmd
      ->add_option("--metrics-listen", watchSettings.metricsListen,
                   "serve Prometheus metrics on http://ADDR:PORT/metrics")
      ->type_name("ADDR:PORT");
  watchCmd
      ->add_option("--textfile", watchSettings.textfileDir,
                   "write DIR/<dump name>.prom for node_exporter's textfile collector")
      ->type_name("DIR");
  watchCmd->add_option("--top", watchSettings.top, "lines with metrics of their own")
      ->default_val(10)
      ->check(CLI::Range(size_t{1}, size_t{1000}).description(""))
      ->type_name("N");
  watchCmd->footer(
      "Ranks the dump as it grows, every --every seconds, as 'slowburn report' would; prints\n"
      "one line when a program line turns GROWING above the budget and one when it stops; ends\n"
      "when the process exits (END) or is gone. Metrics: slowburn_location_live_bytes,\n"
      "_growth_bytes_per_second, _growth_confidence_ratio and _growing (0/1) for the top N\n"
      "lines plus location=\"other\", slowburn_process_resident_memory_bytes and\n"
      "_tracked_heap_bytes, labelled with pid and exe.\n"
      "Example: slowburn watch slowburn.server.4242.sb --metrics-listen 127.0.0.1:9464");

  sa::RunSettings runSettings;
  CLI::App* runCmd =
      app.add_subcommand("run", "Run a command under the profiler, then report its dump");
  runCmd->add_option("--out", runSettings.outDir, "directory for the dumps")
      ->default_val(".")
      ->type_name("DIR");
  sa::addRecordingFlags(*runCmd, runSettings);
  addReportOptions(*runCmd, reportOptions);
  runCmd->add_option("command", runSettings.command, "the program and its arguments, after --")
      ->required()
      ->type_name("CMD");
  runCmd->footer(fmt::format(
      "The command runs with LD_PRELOAD=libslowburn.so (found next to this program, or in\n"
      "<prefix>/lib/slowburn as make install puts it); its dump goes to OUTDIR/{}\n"
      "(%e the program's name, %p its pid).\n"
      "slowburn exits with the command's status (128+N if signal N killed it). The report goes\n"
      "to stderr.\nExample: slowburn run --out /tmp/dumps -- ./server --port 8080",
      slowburn::env::kDefaultDumpName));

  sa::AttachSettings attachSettings;
  CLI::App* attachCmd = sa::addAttachCommand(app, attachSettings);
  addReportOptions(*attachCmd, reportOptions);

  std::string htmlOut;
  sa::HtmlSettings htmlSettings;
  CLI::App* htmlCmd = app.add_subcommand(
      "html", "Self-contained HTML page: ranked table, live-bytes chart per top site");
  addDumpArgument(*htmlCmd, dump, "dump file written by the preload");
  htmlCmd->add_option("-o,--output", htmlOut, "the page to write; - for stdout")
      ->required()
      ->type_name("FILE");
  htmlCmd->add_option("--top", htmlSettings.top, "locations shown with a chart and their stack")
      ->default_val(10)
      ->check(CLI::Range(size_t{0}, size_t{1000}).description(""))
      ->type_name("N");
  htmlCmd
      ->add_option("--rows", htmlSettings.rows,
                   "locations listed in the table; the rest are counted")
      ->default_val(200)
      ->check(CLI::Range(size_t{1}, size_t{1} << 24).description(""))
      ->type_name("N");
  htmlCmd->add_option("--frames", htmlSettings.frames, "stack frames shown past each location")
      ->default_val(16)
      ->check(CLI::Range(size_t{0}, size_t{format::kMaxFrames}).description(""))
      ->type_name("N");
  htmlCmd->footer(
      "The page fetches nothing: open it from a ticket, a CI artifact or a mail.\n"
      "Example: slowburn html slowburn.server.4242.sb -o report.html");

  sa::DiffSettings diffSettings;
  std::string diffFormat = "text";
  CLI::App* diffCmd = app.add_subcommand(
      "diff", "What changed between two runs: locations matched by name, worst first");
  diffCmd->add_option("a", diffSettings.dumpA, "the earlier run's dump")
      ->required()
      ->type_name("A");
  diffCmd->add_option("b", diffSettings.dumpB, "the later run's dump")->required()->type_name("B");
  diffCmd->add_option("--format", diffFormat, "text (a table) or json (slowburn-diff)")
      ->default_val("text")
      ->check(CLI::IsMember({"text", "json"}).description(""))
      ->type_name("FORMAT");
  diffCmd->add_flag("--fail-on-new-growth", diffSettings.failOnNewGrowth,
                    "exit 1 when B has a GROWING location that A did not");
  diffCmd
      ->add_option("--min-confidence", diffSettings.minConfidence,
                   "new growth counts only when B's GROWING verdict is at least this sure")
      ->default_val(sa::kDefaultMinConfidence)
      ->check(CLI::Range(0.0, 1.0).description(""))
      ->type_name("0..1");
  diffCmd->add_option("--top", diffSettings.text.top, "text: show the N worst rows")
      ->default_val(20)
      ->check(CLI::Range(size_t{1}, size_t{1} << 24).description(""))
      ->type_name("N");
  diffCmd->add_flag("--all", diffSettings.text.all, "text: show every row");
  diffCmd->footer(
      "Locations are matched by function, source file name and line (a line that moved by\n"
      "its function and callers), never by address: ASLR and rebuilds move code.\n"
      "Exit codes: 0 ok, 1 new growth with --fail-on-new-growth, 2 bad input.\n"
      "Example: slowburn diff before.sb after.sb --fail-on-new-growth");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes (105, 106, 109...) mean nothing to callers: usage is exit 2.
    std::string command = "slowburn";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      // CLI11 would only say a subcommand is required.
      std::string names;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      printError(
          fmt::format("unknown command '{}'; commands: {} (see slowburn --help)", argv[1], names));
      return kExitBadInput;
    }
    printError(fmt::format("{} (see {} --help)", e.what(), command));
    return kExitBadInput;
  }

  if (*reportCmd) {
    report(dump, reportOptions, stdout);
    flushOrThrow(stdout);
    return kExitOk;
  }
  if (*checkCmd) return runCheck(dump, rate, minConfidence);
  if (*exportCmd) return runExport(dump, format, collapsedValue);
  if (*attachCmd) return runAttach(attachSettings, reportOptions);
  if (*watchCmd) {
    watchSettings.budget.maxGrowthBytesPerSec = sa::parseRate(watchRate);
    return sa::runWatch(watchSettings, stdout, stderr);
  }
  if (*htmlCmd) return runHtml(dump, htmlOut, htmlSettings);
  if (*diffCmd) {
    diffSettings.json = diffFormat == "json";
    return sa::runDiff(diffSettings);
  }
  return runRun(runSettings, reportOptions);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return cli(argc, argv);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    printError(e.what());
    return kExitBadInput;
  } catch (...) {
    std::fflush(stdout);
    printError("unexpected failure");
    return kExitBadInput;
  }
}
