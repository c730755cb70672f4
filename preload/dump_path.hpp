#pragma once
// Naming and creating the dump file: SLOWBURN_OUT's %p / %e expanded, relative patterns
// anchored at the working directory of the moment recording starts (so a later chdir
// cannot move it), and a numeric suffix instead of failure when the name is taken (an
// exec of the same executable keeps its pid).

#include <cstddef>

namespace slowburn::preload {

// Prefixes cwd to a relative pattern; false when it does not fit.
bool absolutePattern(const char* pattern, const char* cwd, char* out, size_t size);

// Expands %p (pid), %e (executable name) and %% ; false when it does not fit.
bool expandPattern(const char* pattern, int pid, const char* exeName, char* out, size_t size);

// Creates the file 0600 with O_EXCL|O_NOFOLLOW|O_CLOEXEC. When path exists, tries
// "name.1.sb", "name.2.sb", ... (before a ".sb" ending, else appended) and leaves the
// name used in path. Returns the fd or -errno.
int createDumpFile(char* path, size_t size);

// The last path component.
const char* baseName(const char* path);

}  // namespace slowburn::preload
