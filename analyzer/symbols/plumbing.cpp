#include "symbols/plumbing.hpp"

#include <cctype>

namespace slowburn::analyze {
namespace {

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kProfilerNamespace = "slowburn::preload::";

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Length of the operator token after "operator" at s[at], so its '<', '(' or spaces are
// not read as template brackets, a parameter list or a return-type separator.
size_t operatorTokenLength(std::string_view s, size_t at, bool& conversion) {
  conversion = false;
  const std::string_view rest = s.substr(at);
  static constexpr std::string_view kFixed[] = {"()",        "[]",   " new[]",
                                                " delete[]", " new", " delete"};
  for (std::string_view fixed : kFixed) {
    if (startsWith(rest, fixed)) return fixed.size();
  }
  constexpr std::string_view kSymbolChars = "<>=!+-*/%^&|~,";
  size_t n = 0;
  while (n < rest.size() && n < 3 && kSymbolChars.find(rest[n]) != std::string_view::npos) ++n;
  // The demangler separates template arguments from a symbol operator: "operator<< <char>".
  if (n > 0) return startsWith(rest.substr(n), " <") ? n + 1 : n;
  if (startsWith(rest, "\"\"")) return 2;
  // "operator bool", "operator std::string": the rest up to '(' is a type.
  conversion = startsWith(rest, " ");
  return conversion ? 1 : 0;
}

bool endsWithDecltype(std::string_view before) {
  while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  constexpr std::string_view kDecltype = "decltype";
  return before.size() >= kDecltype.size() &&
         before.substr(before.size() - kDecltype.size()) == kDecltype &&
         (before.size() == kDecltype.size() ||
          !isIdentChar(before[before.size() - kDecltype.size() - 1]));
}

}  // namespace

std::string_view qualifiedName(std::string_view s) {
  constexpr std::string_view kAnonymous = "(anonymous namespace)";
  size_t start = 0;
  int depth = 0;  // <>, [], {} and () not opening the parameter list
  bool conversion = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (startsWith(s.substr(i), kAnonymous)) {
      i += kAnonymous.size() - 1;
      continue;
    }
    if (startsWith(s.substr(i), "operator") && (i == 0 || !isIdentChar(s[i - 1])) &&
        (i + 8 == s.size() || !isIdentChar(s[i + 8]))) {
      bool isConversion = false;
      i += 8 + operatorTokenLength(s, i + 8, isConversion) - 1;
      conversion = conversion || (isConversion && depth == 0);
      continue;
    }
    switch (s[i]) {
      case '<':
      case '[':
      case '{': ++depth; break;
      case '>':
      case ']':
      case '}': depth = depth > 0 ? depth - 1 : 0; break;
      case '(':
        // "decltype (expr) std::construct_at<...>(...)": the return type's parentheses.
        if (depth == 0 && !endsWithDecltype(s.substr(0, i))) {
          return s.substr(start, i - start);
        }
        ++depth;
        break;
      case ')': depth = depth > 0 ? depth - 1 : 0; break;
      case ' ':
        // A top-level space ends a template function's return type ("void std::foo<int>").
        if (depth == 0 && !conversion) start = i + 1;
        break;
      default: break;
    }
  }
  return s.substr(start);
}

bool isAllocatorEntry(std::string_view demangled) {
  static constexpr std::string_view kEntries[] = {
      "operator new", "operator new[]", "operator delete", "operator delete[]", "malloc", "calloc",
      "realloc", "reallocarray", "free", "posix_memalign", "aligned_alloc", "memalign", "valloc",
      "pvalloc", "strdup", "strndup", "__strdup", "__libc_malloc", "__libc_calloc",
      "__libc_realloc", "__libc_memalign", "__libc_free", "read", "pread64", "readv", "recv",
      "recvfrom", "recvmsg", "write", "pwrite64", "writev", "send", "sendto", "sendmsg", "__read",
      "__libc_read", "__write", "__libc_write", "__recv", "__send",
      // the mapping family
      "mmap", "mmap64", "munmap", "mremap", "brk", "sbrk", "__mmap",
      // allocators' and interpreters' own
      "mallocx", "rallocx", "xallocx", "tc_malloc", "tc_calloc", "tc_realloc", "tc_new",
      "tc_newarray", "mi_malloc", "mi_zalloc", "mi_calloc", "mi_realloc", "mi_new",
      "PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "PyMem_Malloc", "PyMem_Calloc",
      "PyMem_Realloc", "PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc"};
  const std::string_view name = qualifiedName(demangled);
  for (std::string_view entry : kEntries) {
    if (name == entry) return true;
  }
  return false;
}

bool isLibraryNamespace(std::string_view demangled) {
  const std::string_view name = qualifiedName(demangled);
  static constexpr std::string_view kNamespaces[] = {
      "std::", "__gnu_cxx::", "__cxxabiv1::", "__gnu_debug::", "__pstl::", kProfilerNamespace};
  for (std::string_view ns : kNamespaces) {
    if (startsWith(name, ns)) return true;
  }
  return false;
}

bool isSystemHeader(std::string_view file) {
  if (startsWith(file, "/usr/include/") || startsWith(file, "/usr/lib/gcc/") ||
      startsWith(file, "/usr/lib/llvm-")) {
    return true;
  }
  // libstdc++ or libc++ installed elsewhere: /opt/gcc-13/include/c++/13/bits/stl_vector.h
  return file.find("/include/c++/") != std::string_view::npos;
}

bool isRuntimeModule(std::string_view modulePath) {
  const size_t slash = modulePath.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? modulePath : modulePath.substr(slash + 1);
  static constexpr std::string_view kPrefixes[] = {
      "libc.so",  "libc-2.",     "libstdc++.so",  "libc++.so",     "libc++abi.so", "libgcc_s.so",
      "ld-linux", "libslowburn", "libpthread.so", "libpthread-2.", "libdl.so",     "libdl-2."};
  for (std::string_view prefix : kPrefixes) {
    if (startsWith(base, prefix)) return true;
  }
  // glibc before 2.34 named the loader ld-2.31.so
  return startsWith(base, "ld-2.") && base.find(".so") != std::string_view::npos;
}

bool isPlumbing(const Frame& frame) {
  if (isRuntimeModule(frame.module)) return true;
  // Inlined frames from DWARF carry no linkage name ("allocate", "push_back", unqualified):
  // the header they sit in is what marks them as the library's.
  if (isSystemHeader(frame.file)) return true;
  if (frame.function.empty()) return false;
  if (isAllocatorEntry(frame.function)) return true;
  if (!isLibraryNamespace(frame.function)) return false;
  if (startsWith(qualifiedName(frame.function), kProfilerNamespace)) return true;
  return frame.file.empty();
}

std::optional<size_t> firstUserFrame(std::span<const Frame> frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!isPlumbing(frames[i])) return i;
  }
  return std::nullopt;
}

size_t locationFrame(std::span<const Frame> frames) { return firstUserFrame(frames).value_or(0); }

std::optional<size_t> userFramePastAllocator(std::span<const Frame> frames) {
  std::optional<size_t> entry;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!frames[i].function.empty() && isAllocatorEntry(frames[i].function)) entry = i;
  }
  if (!entry) return std::nullopt;
  const std::optional<size_t> user = firstUserFrame(frames.subspan(*entry + 1));
  if (!user) return std::nullopt;
  return *entry + 1 + *user;
}

}  // namespace slowburn::analyze
