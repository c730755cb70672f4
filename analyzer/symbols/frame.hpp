#pragma once
// One resolved frame: what the symbolizer knows about a recorded address, and what every
// output prints.

#include <cstdint>
#include <string>

namespace slowburn::analyze {

struct Frame {
  uint64_t address = 0;  // as recorded
  std::string module;    // module path, "" if unknown
  uint64_t offset = 0;   // address - module load address; 0 when the module is unknown
  std::string function;  // demangled; "" if unknown
  std::string file;      // source file as in DWARF (absolute when the CU says where)
  int line = 0;          // 0 if unknown
  std::string note;      // why the frame is less than complete, e.g. "build-id mismatch"
};

}  // namespace slowburn::analyze
