#pragma once
// The collector's process: what it keeps of the program it was made from (nothing but the
// channel, the liveness pipe and the program's pidfd), and its life. Run by slowburn-collector
// after exec, and by a plain copy of the program when that program cannot be exec'd.

namespace slowburn::preload {

class Channel;
struct CollectorFds;

// Makes this process quiet: no signal reaches a handler (all blocked, all defaults), no
// descriptor but those of fds stays open (0, 1 and 2 lead to /dev/null), and it is named
// "slowburn" for ps. Then maps the channel and records; returns the exit status.
int runCollectorProcess(const CollectorFds& fds);

// The same in a copy of the program, which has the channel mapped already (fds.channel is
// not kept).
int runCollectorInCopy(Channel& channel, const CollectorFds& fds);

}  // namespace slowburn::preload
