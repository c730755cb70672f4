#pragma once
// slowburn attach's way in: `slowburn attach PID` loads this library into a running
// program with dlopen (its constructor sees it was not preloaded and does nothing), then
// calls these entry points on a thread it stopped at a safe point (analyzer/attach).
//
// Start builds the runtime (first time), starts a recording exactly as the preload does
// (same collector process, dump name and format), then redirects the GOT entries of every
// loaded module to the hooks (hooks/got_redirect.hpp), and those of modules loaded later
// through the dlopen redirection. Stop puts every entry back, has the collector finish the
// dump, and releases the recording: no thread or process of slowburn is left. The library
// stays mapped: a thread may still be inside a hook (a read() blocked for hours returns
// into it), and its code and static memory must outlive that call.
//
// Neither writes to the program's stderr: messages are gathered and returned to the
// attaching command in the result, one "slowburn: ..." line each after the first line,
// which is "ok ..." or "error".

extern "C" {

// settings: "NAME=value" entries, each NUL-terminated, ending with an empty one, with the
// names of the preload's environment (SLOWBURN_OUT must be absolute). The result's first
// line is "ok collector=PID entries=N modules=N unprotectable=N" on success.
[[gnu::visibility("default")]] const char* slowburn_attach_start(const char* settings);

// The result's first line is "ok restored=N finished=0|1", or "error".
[[gnu::visibility("default")]] const char* slowburn_attach_stop();
}
