#pragma once
// Whether the program the collector records is still there, still running the same image.
//
// Exit: the collector holds a pidfd of the program, which polls readable once the
// program's whole thread group has exited, whatever killed it, whoever the collector's
// parent is (it is not the program's child: see lifecycle/collector_launch.hpp). Where
// pidfd_open(2) is missing (before Linux 5.3) the collector is the program's child instead,
// and getppid() changes the moment the program is gone (its children are handed to a
// reaper before it becomes a zombie). Exec: the program holds the write end of a pipe with
// O_CLOEXEC, so the read end sees EOF when it execs (or exits). A program may also close
// every descriptor; the pipe then closes while the image lives on, so EOF is confirmed by
// looking for the channel's mapping in /proc/PID/maps (an exec drops every mapping),
// rate-limited; a look that misses it is repeated before it means an exec, since an exit
// in the middle of a look (the file is read in pieces) ends the file early.

#include <sys/types.h>

#include <cstdint>

namespace slowburn::preload {

class TargetWatch {
 public:
  enum class Fate { Running, Exited, Replaced };

  // programFd: a pidfd of pid, or -1 when this process is pid's child.
  TargetWatch(int pid, int livenessFd, int programFd, dev_t channelDev, ino_t channelIno)
      : m_pid(pid),
        m_fd(livenessFd),
        m_programFd(programFd),
        m_dev(channelDev),
        m_ino(channelIno) {}

  Fate poll(uint64_t nowNs);

 private:
  // The program's thread group has exited (it may still be a zombie).
  bool programGone() const;
  // Whether /proc/PID/maps still shows the channel: Running, Replaced, or Exited when the
  // process has no mappings left (it is exiting).
  Fate lookForChannel();

  int m_pid;
  int m_fd;
  int m_programFd;
  dev_t m_dev;
  ino_t m_ino;
  bool m_pipeClosed = false;
  bool m_replaceSeen = false;  // the last look missed the channel: the next one confirms
  uint64_t m_nextMapsScanNs = 0;
};

}  // namespace slowburn::preload
