#pragma once
// Whether a frame's module is a language runtime's own code: an interpreter (python3.11,
// libpython, perl, ruby) or a virtual machine (node, the JVM). A site whose frames are its
// runtime's shows which part of the runtime allocated (a new object arena, a dict resize),
// not which line of the script did: a native profiler sees the interpreter, not the script.

#include <optional>
#include <string>
#include <string_view>

namespace slowburn::analyze {

// The runtime's name ("python3.11", "perl", "node", "java") when modulePath is one.
std::optional<std::string> interpreterOf(std::string_view modulePath);

}  // namespace slowburn::analyze
