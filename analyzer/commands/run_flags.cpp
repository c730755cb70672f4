#include "commands/run_flags.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace slowburn::analyze {
namespace {

CLI::Validator numberCheck(const env::NumberSetting& setting) {
  return CLI::Validator(
      [&setting](std::string& text) {
        uint64_t v = 0;
        return env::parseNumber(setting, text.c_str(), &v) ? std::string()
                                                           : refusal(setting.expected, text);
      },
      "");
}

CLI::Validator syscallsCheck() {
  return CLI::Validator(
      [](std::string& text) {
        uint32_t mask = 0;
        return env::parseSyscallList(text.c_str(), &mask) ? std::string()
                                                          : refusal(env::kSyscalls.expected, text);
      },
      "");
}

// A numeric flag that sets field when given; its help says what the contract accepts.
void addNumber(CLI::App& run, const std::string& flag, const env::NumberSetting& setting,
               std::optional<uint64_t>& field, const std::string& what, const std::string& unit) {
  run.add_option_function<uint64_t>(
         flag, [&field](const uint64_t& v) { field = v; },
         fmt::format("{}: {} (default {})", what, setting.expected, setting.defaultValue))
      ->check(numberCheck(setting))
      ->type_name(unit);
}

}  // namespace

std::string refusal(const char* expected, const std::string& value) {
  return fmt::format("expected {}, not \"{}\"", expected, value);
}

void addRecordingFlags(CLI::App& run, RunSettings& settings) {
  addNumber(run, "--interval", env::kIntervalMs, settings.intervalMs, "snapshot interval", "MS");
  addNumber(run, "--depth", env::kDepth, settings.depth, "stack depth recorded per site", "N");
  addNumber(run, "--sample-bytes", env::kSampleBytes, settings.sampleBytes, "sampling interval",
            "N");
  run.add_option_function<std::string>(
         "--syscalls", [&settings](const std::string& v) { settings.syscalls = v; },
         fmt::format("syscalls to count: {} (default {})", env::kSyscalls.expected,
                     env::kSyscalls.defaultValue))
      ->check(syscallsCheck())
      ->type_name("LIST");
}

}  // namespace slowburn::analyze
