#include "read/run_down.hpp"

namespace slowburn::analyze {

size_t runDownSnapshots(std::span<const uint64_t> heaps, const RunDownSettings& settings) {
  size_t k = 0;
  // Back from the teardown while each snapshot fell from the one before by enough.
  while (k + 1 < heaps.size()) {
    const double before = static_cast<double>(heaps[heaps.size() - 2 - k]);
    const double after = static_cast<double>(heaps[heaps.size() - 1 - k]);
    if (!(before > 0) || after > before * settings.maxStepLeft) break;
    ++k;
  }
  if (k == 0) return 0;
  const double start = static_cast<double>(heaps[heaps.size() - 1 - k]);
  return static_cast<double>(heaps.back()) <= start * settings.maxLeft ? k : 0;
}

}  // namespace slowburn::analyze
