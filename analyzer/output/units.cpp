#include "output/units.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace slowburn::analyze {
namespace {

struct UnitName {
  std::string_view name;
  double factor;
};

// Case matters only where it carries meaning (MB vs Mb would be bits; we accept neither).
constexpr std::array<UnitName, 14> kByteUnits{{
    {"", 1.0},
    {"B", 1.0},
    {"KiB", 1024.0},
    {"MiB", 1024.0 * 1024},
    {"GiB", 1024.0 * 1024 * 1024},
    {"TiB", 1024.0 * 1024 * 1024 * 1024},
    {"kB", 1e3},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"K", 1024.0},
    {"M", 1024.0 * 1024},
    {"G", 1024.0 * 1024 * 1024},
}};

constexpr std::array<UnitName, 11> kTimeUnits{{
    {"s", 1.0},
    {"sec", 1.0},
    {"second", 1.0},
    {"m", 60.0},
    {"min", 60.0},
    {"minute", 60.0},
    {"h", 3600.0},
    {"hr", 3600.0},
    {"hour", 3600.0},
    {"d", 86400.0},
    {"day", 86400.0},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void badRate(std::string_view text, std::string_view why) {
  throw std::invalid_argument(fmt::format(
      "bad rate '{}': {} (expected e.g. 1MiB/min, 512KiB/s, 10MB/h or a number of bytes/s)", text,
      why));
}

// Splits "12.5MiB" into its number and unit; the number is plain decimal (no hex, no inf).
double parseNumber(std::string_view text, std::string_view& rest, std::string_view whole) {
  size_t i = 0;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    ++i;
    digits = true;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      digits = true;
    }
  }
  if (!digits) badRate(whole, "it does not start with a non-negative number");
  const std::string number(text.substr(0, i));
  rest = trim(text.substr(i));
  return std::strtod(number.c_str(), nullptr);
}

double lookup(std::string_view unit, const auto& table) {
  for (const UnitName& u : table) {
    if (u.name == unit) return u.factor;
  }
  return -1.0;
}

// Three significant digits: 1.50, 36.0, 200.
std::string threeDigits(double v) {
  const double a = std::fabs(v);
  if (a < 9.995) return fmt::format("{:.2f}", v);
  if (a < 99.95) return fmt::format("{:.1f}", v);
  return fmt::format("{:.0f}", v);
}

}  // namespace

double parseRate(std::string_view text) {
  const std::string_view whole = trim(text);
  if (whole.empty()) badRate(text, "it is empty");
  std::string_view rest;
  const double number = parseNumber(whole, rest, whole);

  std::string_view bytePart = rest;
  std::string_view timePart = "s";
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    bytePart = trim(rest.substr(0, slash));
    timePart = trim(rest.substr(slash + 1));
  } else if (!rest.empty()) {
    badRate(whole, "a size needs a time unit: /s, /min or /h");
  }
  const double byteFactor = lookup(bytePart, kByteUnits);
  if (byteFactor < 0) badRate(whole, fmt::format("unknown size unit '{}'", bytePart));
  const double timeFactor = lookup(timePart, kTimeUnits);
  if (timeFactor < 0) badRate(whole, fmt::format("unknown time unit '{}'", timePart));
  const double rate = number * byteFactor / timeFactor;
  if (!std::isfinite(rate)) badRate(whole, "it is too large");
  return rate;
}

std::string formatBytes(double bytes) {
  static constexpr std::array<const char*, 6> kNames{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (!std::isfinite(bytes)) return "? B";
  const double sign = bytes < 0 ? -1.0 : 1.0;
  double v = std::fabs(bytes);
  if (v < 1024.0) return fmt::format("{:.0f} B", sign * v);
  size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < kNames.size()) {
    v /= 1024.0;
    ++unit;
  }
  // 1023.99 KiB would print as "1024 KiB": carry it to the next unit.
  if (v >= 1023.5 && unit + 1 < kNames.size()) {
    v /= 1024.0;
    ++unit;
  }
  return fmt::format("{} {}", threeDigits(sign * v), kNames[unit]);
}

std::string formatRate(double bytesPerSecond) {
  if (!std::isfinite(bytesPerSecond)) return "? B/s";
  if (std::fabs(bytesPerSecond) >= 1024.0 || bytesPerSecond == 0.0) {
    return formatBytes(bytesPerSecond) + "/s";
  }
  return formatBytes(bytesPerSecond * 3600.0) + "/h";
}

std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 1.0) return fmt::format("{:.0f} ms", seconds * 1000.0);
  if (seconds < 60.0) return fmt::format("{} s", threeDigits(seconds));
  const auto whole = static_cast<uint64_t>(std::llround(seconds));
  if (whole < 3600) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
}

}  // namespace slowburn::analyze
