#pragma once
// Line charts as inline SVG for the html report: values over the run's time, axes in human
// units (bytes in B/KiB/MiB/GiB or a rate per second; time in s, min or h), one polyline vertex per
// series point, and optionally a straight fitted line (a GROWING site's growth). Drawn by the
// analyzer, so the page needs no script or library to show them.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "read/series.hpp"

namespace slowburn::analyze {

struct ChartLine {
  const std::vector<SeriesPoint>* points = nullptr;  // in time order
  std::string cssClass;                              // the page's style colours it
  std::string label;                                 // the legend's text
};

// A straight line from (t0, v0) to (t1, v1), drawn over the series and clipped to the plot.
struct FitLine {
  double t0 = 0, v0 = 0, t1 = 0, v1 = 0;
  std::string label;
};

// What the values are: bytes, or a rate per second (a syscall site's calls/s).
enum class ChartUnit { Bytes, PerSecond };

struct ChartSpec {
  std::vector<ChartLine> lines;
  ChartUnit unit = ChartUnit::Bytes;
  std::optional<FitLine> fit;
  double endS = 0;          // the time axis runs from 0 to at least this
  std::string description;  // the chart's accessible name
  int width = 760;
  int height = 230;
};

std::string svgChart(const ChartSpec& spec);

// Axis ticks: 0 and multiples of a 1-2-5 step in the unit a person reads at this scale,
// up to the first at or beyond max. value is in bytes or seconds; label in human units.
struct Tick {
  double value = 0;
  std::string label;
};
std::vector<Tick> byteTicks(double max);
std::vector<Tick> rateTicks(double max);
std::vector<Tick> timeTicks(double maxSeconds);

}  // namespace slowburn::analyze
