// slowburn-collector: the collector process the preload starts beside every profiled
// process. Not meant to be run by hand: it expects the descriptors a profiled process hands
// it (collect/collector_args.hpp).

#include "collect/collector_args.hpp"
#include "collect/collector_process.hpp"
#include "support/raw_io.hpp"

int main(int argc, char** argv) {
  slowburn::preload::CollectorFds fds;
  if (!slowburn::preload::parseCollectorArgs(argc, argv, &fds)) {
    static const char usage[] =
        "slowburn-collector: started by libslowburn.so for each profiled process; "
        "not meant to be run by hand\n";
    slowburn::preload::raw::writeAll(2, usage, sizeof(usage) - 1);
    return 2;
  }
  return slowburn::preload::runCollectorProcess(fds);
}
