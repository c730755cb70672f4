#pragma once
// The dynamic symbol table (.dynsym) of an ELF shared object on disk: what slowburn attach
// needs to call a function in another process (dlopen in its libc, the entry points of
// libslowburn.so) and to name the exported function an address in libc belongs to.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slowburn::analyze::attach {

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;  // relative to the load base (shared objects)
  uint64_t size = 0;
};

class DynamicSymbols {
 public:
  // Reads path's defined functions; throws std::runtime_error when it is no ELF object.
  explicit DynamicSymbols(const std::string& path);

  // The symbol's value, if defined.
  std::optional<uint64_t> find(const std::string& name) const;
  // The function whose [value, value + size) holds offset, or nullptr.
  const ElfSymbol* containing(uint64_t offset) const;

 private:
  std::vector<ElfSymbol> m_functions;  // sorted by value
};

}  // namespace slowburn::analyze::attach
