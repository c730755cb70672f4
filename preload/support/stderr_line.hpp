#pragma once
// The preload's own messages: one line "slowburn: ...\n" in a single write(2), on the
// stderr the program was started with. A high duplicate of fd 2 is taken at init and its
// identity checked before each write, so a program that closes every descriptor and
// reopens its own file on fd 2 never finds our complaint in its data. Untrusted parts
// (paths, option values) are made terminal-safe.

#include <sys/types.h>

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

void line(std::initializer_list<const char*> parts);
inline void line(const char* text) { line({text}); }

}  // namespace slowburn::preload::diag
