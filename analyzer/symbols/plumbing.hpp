#pragma once
// Which frames are plumbing — allocator entry points, the C and C++ runtimes, container and
// string internals, the profiler itself — as opposed to the program's own code, the frame a
// user should open. locationFrame (symbolizer.hpp) is built on these rules.

#include <string_view>

#include "symbols/symbolizer.hpp"

namespace slowburn::analyze {

// The qualified name of a demangled function, without return type, parameters or
// qualifiers: "void std::vector<int>::_M_realloc_insert<int>(iter, int&&)" ->
// "std::vector<int>::_M_realloc_insert<int>". Local entities keep their enclosing function
// name only up to its parameters: "handle(int)::{lambda()#1}::operator()() const" -> "handle".
std::string_view qualifiedName(std::string_view demangled);

// malloc and friends, operator new/delete, and the syscall wrappers the preload counts.
bool isAllocatorEntry(std::string_view demangled);

// A function in std, __gnu_cxx, __cxxabiv1 (libstdc++/libc++ internals) or the profiler.
bool isLibraryNamespace(std::string_view demangled);

// A compiler or system header: /usr/include, libstdc++'s and libc++'s include trees.
bool isSystemHeader(std::string_view file);

// The C/C++ runtime, the dynamic loader, or libslowburn itself, by the module's file name.
bool isRuntimeModule(std::string_view modulePath);

// Whether a resolved frame is plumbing. Any frame in a system header is, whatever its name
// (inlined container code is often unqualified: "allocate", "push_back"). A std-namespace
// function whose source is known and outside the system headers (a user's std::hash
// specialisation) counts as user code.
bool isPlumbing(const Frame& frame);

}  // namespace slowburn::analyze
