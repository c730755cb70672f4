#pragma once
// One recording: a channel, the collector process reading it, and the liveness pipe whose
// end tells the collector the program exec'd. The preload starts one at init (and a fork
// child one on its first record); slowburn attach starts one per attach and releases it
// at detach, leaving nothing of it in the program.

#include <cstdint>

namespace slowburn::preload {

class Channel;

// How long the program waits for its collector to start, and for the dump to be finished.
inline constexpr uint64_t kStartWaitNs = 5000000000ull;
inline constexpr uint64_t kFinishWaitNs = 10000000000ull;

// A new channel and collector with the runtime's settings; false (after one diag line)
// when recording cannot start. attached: started by slowburn attach in a running program.
bool startRecording(bool attached);
// The collector process of the current recording, -1 when none.
int collectorPid();
// Asks the collector to finish the dump (drain, final snapshot, END) and waits for it;
// false when it failed (its reason is shown) or did not finish in time.
bool finishRecording(uint64_t waitNs);
// slowburn attach, once the dump is finished: forgets the channel (its pages retired, see
// Channel::retire), closes the liveness pipe and reaps the collector when it is this
// process's child (started apart, it is its reaper's to reap).
void releaseRecording();
// A fork child: drops its copies of the parent's channel mapping and liveness pipe.
void leaveRecordingInChild();

}  // namespace slowburn::preload
