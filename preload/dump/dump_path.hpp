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

// Opens an unnamed file (O_TMPFILE, 0600) in the directory path would live in, so the
// dump can be headed before it gets a name: a process that execs or dies meanwhile
// leaves nothing half-made behind. Returns the fd or -errno (-EOPNOTSUPP and friends
// when the filesystem cannot do it: the caller then uses createDumpFile).
int openUnnamedBeside(const char* path);

// Gives the unnamed file fd the name path, or "name.1.sb", ... when taken (never
// replacing anything); leaves the name used in path. Returns 0 or -errno.
int linkDumpFile(int fd, char* path, size_t size);

// The last path component.
const char* baseName(const char* path);

}  // namespace slowburn::preload
