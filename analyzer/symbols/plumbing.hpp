#pragma once
// Which frames are plumbing — allocator entry points, the C and C++ runtimes, container and
// string internals, the profiler itself — as opposed to the program's own code, and so which
// frame of a stack a user should open: the one rule every output's location comes from.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "symbols/frame.hpp"

namespace slowburn::analyze {

// The qualified name of a demangled function, without return type, parameters or
// qualifiers: "void std::vector<int>::_M_realloc_insert<int>(iter, int&&)" ->
// "std::vector<int>::_M_realloc_insert<int>". Local entities keep their enclosing function
// name only up to its parameters: "handle(int)::{lambda()#1}::operator()() const" -> "handle".
std::string_view qualifiedName(std::string_view demangled);

// malloc and friends, operator new/delete, the syscall wrappers the preload counts, the
// mapping family, and the entry points of jemalloc, tcmalloc, mimalloc and CPython's
// allocator.
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

// The first frame of the program's own code among frames (innermost first, inlined calls
// expanded): for a push_back inlined into handle(), handle's line, not stl_vector.h's.
// nullopt when every frame is plumbing.
std::optional<size_t> firstUserFrame(std::span<const Frame> frames);

// The index of the frame a user should open: firstUserFrame, or the innermost frame (0) when
// every frame is plumbing or there are none.
size_t locationFrame(std::span<const Frame> frames);

// A mapping's stack goes through the allocator that made it when one did: jemalloc linked
// into the program maps its extents from pages_map, deep inside malloc. The frames up to the
// outermost allocator entry point are that allocator's, whatever their names: this is the
// first of the program's frames past it, or nullopt when the stack has no entry point or
// nothing of the program's past it.
std::optional<size_t> userFramePastAllocator(std::span<const Frame> frames);

}  // namespace slowburn::analyze
