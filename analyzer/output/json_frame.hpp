#pragma once
// A resolved frame as every JSON output writes it (export --format json, diff --format json).

#include "output/json_writer.hpp"
#include "symbols/frame.hpp"

namespace slowburn::analyze {

// {address, module, function, file, line[, note]}
void writeFrame(JsonWriter& w, const Frame& f);

}  // namespace slowburn::analyze
