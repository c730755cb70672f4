// slowburn-collector: the collector process the preload starts beside every profiled
// process. Not meant to be run by hand: it expects the descriptors of a channel and of a
// liveness pipe that a profiled process hands it.
//   slowburn-collector CHANNEL_FD LIVENESS_FD

#include <cstdlib>

#include "collect/collector_process.hpp"
#include "support/raw_io.hpp"

namespace {

bool parseFd(const char* text, int* out) {
  if (text == nullptr || *text == '\0') return false;
  long v = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || v > 1000000) return false;
    v = v * 10 + (*p - '0');
  }
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int channelFd = -1;
  int livenessFd = -1;
  if (argc != 3 || !parseFd(argv[1], &channelFd) || !parseFd(argv[2], &livenessFd)) {
    static const char usage[] =
        "slowburn-collector: started by libslowburn.so for each profiled process; "
        "not meant to be run by hand\n";
    slowburn::preload::raw::writeAll(2, usage, sizeof(usage) - 1);
    return 2;
  }
  return slowburn::preload::runCollectorProcess(channelFd, livenessFd);
}
