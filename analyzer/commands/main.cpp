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

#include "commands/check.hpp"
#include "commands/run_command.hpp"
#include "commands/run_flags.hpp"
#include "output/export_collapsed.hpp"
#include "output/export_csv.hpp"
#include "output/export_json.hpp"
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
  int status = outcome.exitStatus;
  try {
    report(outcome.topDump, o, stderr);
    fmt::print(stderr, "\ndump: {}\n", sa::printable(outcome.topDump));
  } catch (const std::exception& e) {
    // The reader's errors name the dump already; others get its name in front.
    const std::string what = e.what();
    const bool named = what.rfind(outcome.topDump, 0) == 0;
    printError(named ? what : outcome.topDump + ": " + what);
    status = failed;
  }
  listOtherDumps(outcome);
  return status;
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
  if (format == "collapsed") {
    printed = [collapsed](const sa::RankedSite& r, const sa::SiteProfile& s) {
      return sa::collapsedValue(r, s, collapsed) != 0;
    };
  }
  auto analysis = analyze(path, std::move(printed));
  const sa::TextSink out = writeTo(stdout);
  if (format == "json") {
    sa::exportJson(*analysis, out);
  } else if (format == "csv") {
    sa::exportCsv(*analysis, out);
  } else {
    sa::exportCollapsed(*analysis, collapsed, out);
  }
  flushOrThrow(stdout);
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
      "Exit codes: 0 ok, 1 a check budget was exceeded, 2 bad input or usage.\n"
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
  CLI::App* exportCmd =
      app.add_subcommand("export", "Machine-readable output on stdout: json, csv, collapsed");
  addDumpArgument(*exportCmd, dump, "dump file written by the preload");
  exportCmd
      ->add_option("--format", format,
                   "json (slowburn-report), csv, or collapsed (flame graph stacks)")
      ->required()
      ->check(CLI::IsMember({"json", "csv", "collapsed"}).description(""))
      ->type_name("FORMAT");
  exportCmd
      ->add_option("--value", collapsedValue,
                   "collapsed only: live bytes before exit, site peaks, or alloc counts")
      ->default_val("live")
      ->check(CLI::IsMember({"live", "peak", "allocs"}).description(""))
      ->type_name("live|peak|allocs");
  exportCmd->footer(
      "Examples:\n  slowburn export DUMP --format json | jq '.sites[0]'\n"
      "  slowburn export DUMP --format collapsed | flamegraph.pl > live.svg");

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
      "The command runs with LD_PRELOAD=libslowburn.so (found next to this program or in\n"
      "<prefix>/lib); its dump goes to OUTDIR/{} (%e the program's name, %p its pid).\n"
      "slowburn exits with the command's status (128+N if signal N killed it). The report goes\n"
      "to stderr.\nExample: slowburn run --out /tmp/dumps -- ./server --port 8080",
      slowburn::env::kDefaultDumpName));

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
