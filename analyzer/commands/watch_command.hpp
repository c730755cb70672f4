#pragma once
// `slowburn watch DUMP`: follows the dump of a running process, re-ranks it every few seconds
// with the method `report` uses, prints one line when a program line turns GROWING (above
// the budget) and one when it stops, feeds Prometheus, and ends when the process does.

#include <cstddef>
#include <cstdio>
#include <string>

#include "commands/check.hpp"

namespace slowburn::analyze {

struct WatchSettings {
  std::string dump;
  double everyS = 5;  // between rankings
  // What alerts: a GROWING location faster than the budget (0: any), with this confidence.
  CheckSettings budget;
  size_t top = 10;            // locations with metrics of their own
  std::string metricsListen;  // ADDR:PORT to serve /metrics on; "" for none
  std::string textfileDir;    // node_exporter textfile directory; "" for none
};

// Follows the dump until END arrives, the process is gone, or SIGINT/SIGTERM; returns the
// exit status (0). Alert lines go to out, what the watch is doing to err. Throws on a dump
// that cannot be trusted and on metrics it cannot serve or write.
int runWatch(const WatchSettings& settings, std::FILE* out, std::FILE* err);

}  // namespace slowburn::analyze
