#pragma once
// Offline symbolization: recorded addresses -> module, function, file:line, using the module
// map from the dump and the ELF/DWARF files on disk (elfutils libdwfl), never the live process.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "read/records.hpp"
#include "symbols/frame.hpp"

namespace slowburn::analyze {

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

  // One address expanded into its inlined calls: innermost inlined function first, ending
  // with the real (out-of-line) function. Each entry's file:line is where that function is
  // at this address: the line-table line for the innermost, the call site of the next inner
  // one for the others. One entry when nothing is inlined or there is no DWARF. A return
  // address is looked up at address-1 so the call's line, not the next one, is reported.
  // Never throws for missing files or debug info: the frame then carries what is known
  // (function from the symbol table, or only module+offset) and a note. Not cached: the
  // resolve stage (resolved_stacks.hpp) asks once per address.
  std::vector<Frame> resolveInlineChain(uint64_t address, bool isReturnAddress);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace slowburn::analyze
