// libFuzzer target: the dump reader must refuse or accept any bytes without crashing,
// hanging or allocating without bound.

#include <cstddef>
#include <cstdint>

#include "read/dump_reader.hpp"

namespace {

// Touches everything it is given so the sanitizers see every field.
class Sink : public slowburn::analyze::DumpVisitor {
 public:
  void onSite(const slowburn::analyze::Site& s) override {
    for (const uint64_t f : s.frames) m_acc ^= f;
  }
  void onSnapshot(const slowburn::analyze::Snapshot& s) override {
    for (const auto& c : s.changes) m_acc += c.liveBytes + c.callsDelta;
  }
  uint64_t m_acc = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Sink sink;
  try {
    slowburn::analyze::readDumpBytes(data, size, sink);
  } catch (const slowburn::analyze::DumpError&) {
  }
  return 0;
}
