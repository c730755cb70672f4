#pragma once
// Human units for bytes, rates and durations: parsing budgets and printing report columns.

#include <string>
#include <string_view>

namespace slowburn::analyze {

// Parses a growth budget such as "1MiB/min", "512KiB/s", "10MB/h" or "4096" (plain number =
// bytes per second) into bytes per second. Binary prefixes (KiB) are powers of 1024, SI
// prefixes (kB, KB) powers of 1000. Throws std::invalid_argument naming what is wrong.
double parseRate(std::string_view text);

// "0 B", "48 B", "1.50 KiB", "36.0 MiB", "200 MiB": three significant digits at most.
std::string formatBytes(double bytes);

// Growth per second when it is at least 1 KiB/s, otherwise per hour, where slow leaks are
// easier to read ("293 B/s" is "1.01 MiB/h"). Negative rates keep their sign.
std::string formatRate(double bytesPerSecond);

// "850 ms", "5.20 s", "3m05s", "2h01m".
std::string formatDuration(double seconds);

}  // namespace slowburn::analyze
