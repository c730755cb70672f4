#include "symbols/demangle.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>

namespace slowburn::analyze {

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  // Symbol tables may carry the version: "__libc_start_main@@GLIBC_2.34".
  const std::string bare(name, std::strcspn(name, "@"));
  // Only "_Z..." is mangled C++; __cxa_demangle would otherwise treat "i" as the type int.
  if (bare.compare(0, 2, "_Z") != 0) return bare;
  int status = 0;
  char* plain = abi::__cxa_demangle(bare.c_str(), nullptr, nullptr, &status);
  if (status != 0 || plain == nullptr) return bare;
  std::string result(plain);
  std::free(plain);
  return result;
}

}  // namespace slowburn::analyze
