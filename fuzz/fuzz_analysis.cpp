// libFuzzer target for the whole analysis path: read, build the profile, classify, rank,
// correlate, symbolize and render every output. Hostile bytes may be refused with
// DumpError; anything else (a crash, a hang, memory past the run's -rss_limit_mb or one
// allocation past -malloc_limit_mb) is a bug.

#include <cstddef>
#include <cstdint>
#include <string_view>

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
    // Outputs go where the command sends them, piece by piece: counted, not kept.
    size_t written = 0;
    const TextSink count = [&written](std::string_view piece) { written += piece.size(); };
    reportText(*analysis, settings, count);
    exportJson(*analysis, count);
    exportCsv(*analysis, count);
    exportCollapsed(*analysis, CollapsedValue::LiveBytes, count);
    count(exportPprof(*analysis));
    count(metricsText(*analysis, MetricsSettings{}, WatchCounters{}));
    if (written == 0) __builtin_trap();  // a report always has its header
  } catch (const DumpError&) {
  }
  return 0;
}
