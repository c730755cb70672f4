#pragma once
// Starting the collector process beside the program.
//
// The program stays single-threaded in the eyes of the kernel and glibc (setuid's
// all-thread broadcast, unshare(CLONE_NEWUSER), capset, allocator arenas): the collector is
// a process of its own. It is the slowburn-collector program installed beside this
// library, exec'd from a vfork-style clone (CLONE_VM | CLONE_VFORK on a small stack of
// its own, as posix_spawn does), so it shares no pages with the program and copies none
// of its page tables. Its exit signal is 0: it sends no SIGCHLD and ordinary wait()
// calls never see it. Where it cannot be exec'd (missing, a chroot, a noexec mount,
// execve forbidden) a plain copy of the program runs the same collector instead.

namespace slowburn::preload {

class Channel;
struct CollectorFds;

// The slowburn-collector path beside this library (absolute); "" when not found.
void findCollectorProgram(char* out, unsigned long size, const char* cwd);

// Starts the collector for channel, handing it fds (the program keeps its own copies);
// returns its pid, or -1 when no process could be started.
int launchCollector(Channel& channel, const CollectorFds& fds, const char* collectorPath);

}  // namespace slowburn::preload
