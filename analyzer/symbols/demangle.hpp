#pragma once
// Itanium C++ ABI demangling of symbol and DWARF linkage names.

#include <string>

namespace slowburn::analyze {

// "_ZN3app6handleEi" -> "app::handle(int)"; anything that is not a mangled C++ name (a C
// function, a malformed symbol) comes back unchanged. A symbol version ("@@GLIBC_2.34") is
// dropped. Null gives "".
std::string demangle(const char* name);

}  // namespace slowburn::analyze
