#include "commands/diff_command.hpp"

#include <cstdio>
#include <stdexcept>

namespace slowburn::analyze {

int runDiff(const DiffSettings& settings) {
  // Every location's whole stack: moved lines are matched by their callers.
  const auto a = analyzeDump(settings.dumpA);
  const auto b = analyzeDump(settings.dumpB);
  const DiffRun runA{a.get(), settings.dumpA};
  const DiffRun runB{b.get(), settings.dumpB};
  const RunDiff diff = diffRuns(*a, *b, settings.minConfidence);
  const std::string out =
      settings.json ? diffJson(runA, runB, diff) : diffText(runA, runB, diff, settings.text);
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    throw std::runtime_error("cannot write the diff to stdout");
  }
  return settings.failOnNewGrowth && diff.newGrowth > 0 ? 1 : 0;
}

}  // namespace slowburn::analyze
