#pragma once
// What a program hands its collector process, and how it travels on slowburn-collector's
// command line: slowburn-collector CHANNEL_FD LIVENESS_FD PROGRAM_FD. The launcher fills the
// command line before it clones, in buffers of its own (no allocation); the collector
// program reads it back.

namespace slowburn::preload {

struct CollectorFds {
  int channel = -1;   // the channel's memfd (record/channel.hpp)
  int liveness = -1;  // the read end of the liveness pipe (collect/target_watch.hpp)
  int program = -1;   // a pidfd of the program; -1 where pidfd_open(2) is missing
};

// slowburn-collector's argv for one set of descriptors. Points into itself: fill it where
// it stays.
class CollectorArgv {
 public:
  void fill(const CollectorFds& fds);
  char* const* argv() { return m_argv; }

 private:
  char m_numbers[3][12];
  char* m_argv[5];
};

// The descriptors argv names, in the layout CollectorArgv writes; false for anything else.
bool parseCollectorArgs(int argc, const char* const* argv, CollectorFds* out);

}  // namespace slowburn::preload
