#pragma once
// The preload's own messages: one line "slowburn: ...\n" in a single write(2), on the
// stderr the program was started with. A high duplicate of fd 2 is taken at init and its
// identity checked before each write, so a program that closes every descriptor and
// reopens its own file on fd 2 never finds our complaint in its data. Untrusted parts
// (paths, option values) are made terminal-safe.

#include <sys/types.h>

#include <cstddef>
#include <initializer_list>

namespace slowburn::preload::diag {

// Takes the duplicate; call once at init, before the program can touch its descriptors.
void keepStderr();
// The duplicate (-1 when there was no stderr): the collector inherits it.
int stderrFd();
// Forgets the duplicate and closes it (the collector, once it has started).
void releaseStderr();
// Adopts fd as the stderr to write to (the collector, from its launcher).
void adoptStderr(int fd);

// slowburn attach: lines are appended to out (NUL-terminated, cut when full) instead of
// going to the program's stderr, whose output must stay the program's own; the attaching
// command prints them. nullptr goes back to stderr.
void captureInto(char* out, size_t size);

void line(std::initializer_list<const char*> parts);
inline void line(const char* text) { line({text}); }

}  // namespace slowburn::preload::diag
