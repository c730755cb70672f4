// Prints the detection and false-alarm rates of the analyzer's ranking over parameterised
// families of simulated programs (tests/support/families.hpp), as a markdown table:
// docs/RANKING.md's "Limits" table. Deterministic from the seeds.
//
//   sbfamilies [--seeds N] [--first-seed S] [--family NAME]...

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "support/families.hpp"

namespace {

using slowburn::families::Rates;
using slowburn::families::Variant;

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "sbfamilies: %s\nusage: sbfamilies [--seeds N] [--first-seed S] "
               "[--family NAME]...\n",
               why);
  std::exit(2);
}

uint64_t number(const char* text) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || n == 0) usage("expected a positive number");
  return n;
}

std::string percent(size_t count, size_t seeds) {
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(count) / static_cast<double>(seeds));
}

}  // namespace

int main(int argc, char** argv) {
  size_t seeds = 200;
  uint64_t firstSeed = 1;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    if (arg == "--seeds") {
      seeds = number(argv[++i]);
    } else if (arg == "--first-seed") {
      firstSeed = number(argv[++i]);
    } else if (arg == "--family") {
      only.emplace_back(argv[++i]);
    } else {
      usage(("unknown argument " + arg).c_str());
    }
  }
  std::vector<Variant> variants;
  if (only.empty()) {
    variants = slowburn::families::allVariants();
  } else {
    for (const std::string& family : only) {
      std::vector<Variant> some = slowburn::families::familyVariants(family);
      if (some.empty()) usage(("no family named " + family).c_str());
      for (Variant& v : some) variants.push_back(std::move(v));
    }
  }
  fmt::print(
      "| family | case | seeds | detected (GROWING, #1) | false alarms (GROWING, no leak) |\n");
  fmt::print("| --- | --- | --- | --- | --- |\n");
  for (const Variant& v : variants) {
    const Rates r = slowburn::families::measure(v, seeds, firstSeed);
    fmt::print("| {} | {} | {} | {} | {} |\n", v.family, v.parameter, r.seeds,
               v.leaks ? percent(r.detected, r.seeds) : std::string("—"),
               percent(r.falseAlarms, r.seeds));
    std::fflush(stdout);
  }
  return 0;
}
