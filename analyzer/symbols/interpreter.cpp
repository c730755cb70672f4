#include "symbols/interpreter.hpp"

#include <cctype>

namespace slowburn::analyze {
namespace {

std::string_view baseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "3.11" in "python3.11", "libpython3.11.so.1.0": the version right after the prefix.
std::string_view versionAfter(std::string_view base, size_t at) {
  size_t end = at;
  while (end < base.size() &&
         (std::isdigit(static_cast<unsigned char>(base[end])) != 0 || base[end] == '.')) {
    ++end;
  }
  std::string_view version = base.substr(at, end - at);
  if (const size_t so = version.find(".so"); so != std::string_view::npos)
    version = version.substr(0, so);
  while (!version.empty() && version.back() == '.') version.remove_suffix(1);
  return version;
}

struct Runtime {
  std::string_view prefix;  // of the executable's or the library's file name
  std::string_view name;
  bool versioned;  // the file name carries the version: python3.11, libpython3.11.so
};

constexpr Runtime kRuntimes[] = {
    {"libpython", "python", true}, {"python", "python", true}, {"libperl", "perl", false},
    {"perl", "perl", false},       {"libruby", "ruby", false}, {"ruby", "ruby", false},
    {"node", "node", false},       {"libjvm", "java", false},  {"libnode", "node", false},
    {"liblua", "lua", false},      {"lua", "lua", false},      {"php", "php", false},
};

}  // namespace

std::optional<std::string> interpreterOf(std::string_view modulePath) {
  const std::string_view base = baseName(modulePath);
  for (const Runtime& r : kRuntimes) {
    if (!startsWith(base, r.prefix)) continue;
    const std::string_view rest = base.substr(r.prefix.size());
    // "python3.11", "perl5.36", "node": a name followed by a version or nothing; not
    // "pythonic_tool" or "nodes".
    if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0])) == 0 &&
        !startsWith(rest, ".so") && !startsWith(rest, "-")) {
      continue;
    }
    std::string name(r.name);
    if (r.versioned) name += versionAfter(base, r.prefix.size());
    return name;
  }
  return std::nullopt;
}

}  // namespace slowburn::analyze
