#pragma once
// Whether this library was preloaded (LD_PRELOAD, /etc/ld.so.preload) or loaded into a
// running program by dlopen, as slowburn attach does. Only a preloaded library starts
// recording in its constructor: a dlopen'ed one waits for slowburn_attach_start.

namespace slowburn::preload {

// The loader lists preloaded objects right after the program, before the libraries it
// needs (libc among them), and appends a dlopen'ed object after all of those: this
// library is preloaded when it comes before libc in the loader's list. Call only from
// the constructor, where the loader's lock keeps the list still.
bool loadedByPreload();

}  // namespace slowburn::preload
