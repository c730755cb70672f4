#pragma once
// The collector's process: what it keeps of the program it was made from (nothing but the
// channel and the liveness pipe), and its life. Run by slowburn-collector after exec, and by
// a plain copy of the program when that program cannot be exec'd.

namespace slowburn::preload {

class Channel;

// Makes this process quiet: no signal reaches a handler (all blocked, all defaults), no
// descriptor but channelFd and livenessFd stays open (0, 1 and 2 lead to /dev/null), and it
// is named "slowburn" for ps. Then maps the channel and records; returns the exit status.
int runCollectorProcess(int channelFd, int livenessFd);

// The same in a copy of the program, which has the channel mapped already.
int runCollectorInCopy(Channel& channel, int livenessFd);

}  // namespace slowburn::preload
