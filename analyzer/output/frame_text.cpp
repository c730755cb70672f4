#include "output/frame_text.hpp"

#include <fmt/format.h>

namespace slowburn::analyze {
namespace {

// "server.cpp:12"; the caller knows there is a file and a line.
std::string sourceLine(const Frame& frame) {
  return fmt::format("{}:{}", fileBasename(frame.file), frame.line);
}

}  // namespace

std::string fileBasename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string frameName(const Frame& frame) {
  if (!frame.function.empty()) return frame.function;
  if (!frame.module.empty())
    return fmt::format("{}+{:#x}", fileBasename(frame.module), frame.offset);
  return fmt::format("{:#x}", frame.address);
}

std::string frameWithPlace(const Frame& frame) {
  std::string place;
  if (!frame.file.empty()) {
    place = frame.line > 0 ? sourceLine(frame) : fileBasename(frame.file);
  } else if (!frame.function.empty() && !frame.module.empty()) {
    place = fileBasename(frame.module);
  }
  if (!frame.note.empty()) place += place.empty() ? frame.note : ", " + frame.note;
  return place.empty() ? frameName(frame) : fmt::format("{} ({})", frameName(frame), place);
}

std::string frameLabel(const Frame& frame) {
  if (frame.function.empty()) {
    // Only a known module explains an unnamed frame: a stray address has nothing to add.
    if (frame.module.empty() || frame.note.empty()) return frameName(frame);
    return fmt::format("{} ({})", frameName(frame), frame.note);
  }
  if (!frame.file.empty() && frame.line > 0) {
    return fmt::format("{} at {}", frame.function, sourceLine(frame));
  }
  if (!frame.module.empty())
    return fmt::format("{} in {}", frame.function, fileBasename(frame.module));
  return frame.function;
}

}  // namespace slowburn::analyze
