#include "output/json_frame.hpp"

#include <fmt/format.h>

namespace slowburn::analyze {

void writeFrame(JsonWriter& w, const Frame& f) {
  w.beginObject();
  w.key("address");
  w.value(fmt::format("{:#x}", f.address));
  w.key("module");
  w.value(f.module);
  w.key("function");
  w.value(f.function);
  w.key("file");
  w.value(f.file);
  w.key("line");
  w.value(f.line);
  if (!f.note.empty()) {
    w.key("note");
    w.value(f.note);
  }
  w.endObject();
}

}  // namespace slowburn::analyze
