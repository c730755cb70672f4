#pragma once
// `slowburn attach PID`: records a window of a running process. Loads libslowburn.so into
// it (analyzer/attach/injector.hpp), which starts a recording as the preload does and
// redirects the program's calls to its hooks; waits for the duration, Ctrl-C or the
// process's end; then detaches (the hooks are taken out, the collector finishes the dump)
// and hands back the dump. The report itself is printed by the caller, as for `run`.

#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slowburn::analyze {

struct AttachSettings {
  pid_t pid = 0;
  std::string duration;  // "" = until Ctrl-C or the process ends
  std::string out;       // dump path (%p, %e expand; a directory gets the default name)
  std::optional<uint64_t> intervalMs;
  std::optional<uint64_t> sampleBytes;
  std::string preloadPath;  // libslowburn.so; findPreload() when empty
};

struct AttachOutcome {
  std::string dump;                // the dump written for the window
  std::vector<std::string> notes;  // what happened, one line each, for stderr
};

// Adds the attach subcommand's arguments and options to app.
CLI::App* addAttachCommand(CLI::App& app, AttachSettings& settings);

// "30", "30s", "500ms", "2m", "1h" in seconds; throws std::invalid_argument otherwise.
double parseDuration(const std::string& text);

// Attaches, records, detaches. Throws std::runtime_error with one line (why, and how to
// allow it) when it cannot attach; the process is then left as it was.
AttachOutcome attachAndRecord(const AttachSettings& settings);

}  // namespace slowburn::analyze
