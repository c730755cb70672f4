#pragma once
// `slowburn run`'s recording flags. Each sets one variable of the preload's environment
// (slowburn/environment.hpp) and refuses, in the contract's words, any value the preload
// would ignore: a run never silently records with defaults the user did not ask for.

#include <CLI/CLI.hpp>
#include <string>

#include "commands/run_command.hpp"
#include "slowburn/environment.hpp"

namespace slowburn::analyze {

// --interval, --depth, --sample-bytes and --syscalls, into settings.
void addRecordingFlags(CLI::App& run, RunSettings& settings);

// What a refused value is told: "expected milliseconds, 1 to 3600000, not \"0\"".
std::string refusal(const char* expected, const std::string& value);

}  // namespace slowburn::analyze
