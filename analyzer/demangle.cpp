#include "demangle.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>

namespace slowburn::analyze {

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  // Only "_Z..." is mangled C++; __cxa_demangle would otherwise treat "i" as the type int.
  if (std::strncmp(name, "_Z", 2) != 0) return name;
  int status = 0;
  char* plain = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || plain == nullptr) return name;
  std::string result(plain);
  std::free(plain);
  return result;
}

}  // namespace slowburn::analyze
