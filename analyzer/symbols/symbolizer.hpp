#pragma once
// Offline symbolization: recorded addresses -> module, function, file:line, using the module
// map from the dump and the ELF/DWARF files on disk (elfutils libdwfl), never the live process.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "read/records.hpp"

namespace slowburn::analyze {

struct Frame {
  uint64_t address = 0;  // as recorded
  std::string module;    // module path, "" if unknown
  uint64_t offset = 0;   // address - module load address; 0 when the module is unknown
  std::string function;  // demangled; "" if unknown
  std::string file;      // source file as in DWARF (see fileBasename)
  int line = 0;          // 0 if unknown
  std::string note;      // why the frame is less than complete, e.g. "build-id mismatch"
};

struct SymbolizerOptions {
  // Roots searched for separate debug files: ROOT/.build-id/xx/yyyy.debug and debuglinks.
  std::vector<std::string> debugRoots = {"/usr/lib/debug"};
};

class Symbolizer {
 public:
  explicit Symbolizer(SymbolizerOptions options = {});
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Modules as recorded in the dump; a later module overlapping an earlier one replaces it,
  // as after dlclose/dlopen. Files are opened lazily, on the first address inside them.
  void addModule(const Module& module);

  // Resolves one address, cached. A return address is looked up at address-1 so the call's
  // line, not the next one, is reported. Never throws for missing files or debug info:
  // the frame then carries what is known (function from the symbol table, or only
  // module+offset) and a note.
  Frame resolve(uint64_t address, bool isReturnAddress);

  // The same address expanded into its inlined calls: innermost inlined function first,
  // ending with the real (out-of-line) function. Each entry's file:line is where that
  // function is at this address: the line-table line for the innermost, the call site of
  // the next inner one for the others. One entry when nothing is inlined or no DWARF.
  std::vector<Frame> resolveInlineChain(uint64_t address, bool isReturnAddress);

  // Resolves a SITE's stack, innermost first. Every recorded frame, the innermost too, is
  // the caller's resume address after a call (the preload skips its own frames, so frame
  // 0 is the return address into the caller of malloc/read): all are looked up at -1.
  std::vector<Frame> resolveStack(const std::vector<uint64_t>& addresses);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The index of the frame a user should open: the first frame of the program's own code
// past the allocator, libc, libstdc++/libc++, container, string and profiler frames (see
// plumbing.hpp). 0 when every frame is plumbing or the stack is empty.
size_t locationFrame(const std::vector<Frame>& frames);

// "server.cpp" for "/src/app/server.cpp".
std::string fileBasename(const std::string& path);

// One-line label: "handle(int) at server.cpp:12", "handle(int) in app",
// "app+0x1136 (build-id mismatch)", "0x7f00deadbeef".
std::string frameLabel(const Frame& frame);

}  // namespace slowburn::analyze
