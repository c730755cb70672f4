#pragma once
// Starting the collector process beside the program.
//
// The program stays single-threaded in the eyes of the kernel and glibc (setuid's
// all-thread broadcast, unshare(CLONE_NEWUSER), capset, allocator arenas): the collector is
// a process of its own. It is the slowburn-collector program installed beside this
// library, exec'd from a vfork-style clone (CLONE_VM | CLONE_VFORK on a small stack of
// its own, as posix_spawn does), so it shares no pages with the program and copies none
// of its page tables. Where it cannot be exec'd (missing, a chroot, a noexec mount,
// execve forbidden) a plain copy of the program runs the same collector instead.
//
// Nor is it the program's child, which a wait for every child (waitpid(-1, __WALL): strace,
// gdb, ptrace supervisors) would wait on while the collector waits for the program to
// exit. The program clones a short-lived intermediate (vfork-style: the program stays
// suspended, all signals blocked, exit signal 0), which starts the collector and exits at
// once; the program reaps it right there. The kernel hands the collector to the nearest
// subreaper or init, which reaps it in turn. The collector learns of the program's exit
// from a pidfd (collect/target_watch.hpp). Where there is no pidfd (before Linux 5.3),
// where the program itself adopts orphans (a subreaper, or a pid namespace's init: the
// collector would come back to it with SIGCHLD), or where the intermediate cannot be
// started (said once on stderr), the collector is the program's child as it was: exit
// signal 0, so it sends no SIGCHLD and ordinary wait() calls never see it.

namespace slowburn::preload {

class Channel;
struct CollectorFds;

// The slowburn-collector path beside this library (absolute); "" when not found.
void findCollectorProgram(char* out, unsigned long size, const char* cwd);

struct LaunchedCollector {
  int pid = -1;        // -1 when no process could be started
  bool child = false;  // this process's child (exit signal 0): its to reap
};

// Starts the collector for channel, handing it fds (the program keeps its own copies).
LaunchedCollector launchCollector(Channel& channel, const CollectorFds& fds,
                                  const char* collectorPath);

}  // namespace slowburn::preload
