// libFuzzer target for the whole analysis path: read, build the profile, classify, rank,
// correlate, symbolize and render every output. Hostile bytes may be refused with
// DumpError; anything else (a crash, a hang, an unbounded allocation) is a bug.

#include <cstddef>
#include <cstdint>

#include "output/export_collapsed.hpp"
#include "output/export_csv.hpp"
#include "output/export_json.hpp"
#include "output/export_pprof.hpp"
#include "output/metrics_text.hpp"
#include "output/report_text.hpp"
#include "rank/analysis.hpp"
#include "read/dump_reader.hpp"
#include "read/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace slowburn::analyze;
  try {
    ProfileBuilder builder;
    const ReadSummary summary = readDumpBytes(data, size, builder);
    const auto analysis = analyzeProfile(builder.finish(summary), AnalysisOptions{});
    ReportSettings settings;
    settings.all = true;
    settings.frames = 8;
    (void)reportText(*analysis, settings);
    (void)exportJson(*analysis);
    (void)exportCsv(*analysis);
    (void)exportCollapsed(*analysis);
    (void)exportPprof(*analysis);
    (void)metricsText(*analysis, MetricsSettings{}, WatchCounters{});
  } catch (const DumpError&) {
  }
  return 0;
}
