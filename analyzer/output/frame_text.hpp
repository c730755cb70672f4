#pragma once
// How a frame reads, for every output: the report's stack lines, check's verdicts and the
// folded stacks all name a frame the same way, so a function found in one is found in all.

#include <string>

#include "symbols/frame.hpp"

namespace slowburn::analyze {

// "server.cpp" for "/src/app/server.cpp".
std::string fileBasename(const std::string& path);

// What the frame is called: its function; else "app+0x1136" (module and offset); else the
// raw address, "0x7f00deadbeef".
std::string frameName(const Frame& frame);

// The name and, in parentheses, where it is: "handle(int) (server.cpp:12)", "handle(int)
// (server.cpp)" without a line, "handle(int) (app)" without source, "app+0x1136 (build-id
// mismatch)" with a note. The report's stack lines.
std::string frameWithPlace(const Frame& frame);

// One line for prose: "handle(int) at server.cpp:12", "handle(int) in app",
// "app+0x1136 (build-id mismatch)", "0x7f00deadbeef".
std::string frameLabel(const Frame& frame);

}  // namespace slowburn::analyze
