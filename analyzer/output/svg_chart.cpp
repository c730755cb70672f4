#include "output/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "output/html_text.hpp"

namespace slowburn::analyze {
namespace {

constexpr double kLeft = 78, kRight = 16, kTop = 30, kBottom = 34;
constexpr size_t kTargetTicks = 5;

// The smallest 1, 2 or 5 times a power of ten that is at least raw.
double niceStep(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw * (1 - 1e-9)) return m * power;
  }
  return 10 * power;
}

// Ticks of max in a unit of unitSize, labelled "<n><suffix>".
std::vector<Tick> ticksIn(double max, double unitSize, const char* suffix) {
  const double inUnit = max / unitSize;
  const double step = niceStep(inUnit / kTargetTicks);
  std::vector<Tick> ticks;
  for (size_t i = 0;; ++i) {
    const double v = static_cast<double>(i) * step;
    ticks.push_back({v * unitSize, fmt::format("{:g}{}", v, suffix)});
    if (v >= inUnit * (1 - 1e-9) || i > 4 * kTargetTicks) break;
  }
  return ticks;
}

struct Plot {
  double width, height, xMax, yMax;
  double x(double t) const { return kLeft + t / xMax * (width - kLeft - kRight); }
  double y(double v) const { return height - kBottom - v / yMax * (height - kTop - kBottom); }
};

void axes(std::string& out, const Plot& plot, const std::vector<Tick>& xs,
          const std::vector<Tick>& ys) {
  const double bottom = plot.height - kBottom;
  for (const Tick& t : ys) {
    const double y = plot.y(t.value);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"ytick\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        kLeft, y, plot.width - kRight, y, kLeft - 6, y + 4, htmlText(t.label));
  }
  for (const Tick& t : xs) {
    const double x = plot.x(t.value);
    out += fmt::format(
        "<line class=\"tick\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"xtick\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        x, bottom, x, bottom + 5, x, bottom + 18, htmlText(t.label));
  }
  out += fmt::format(
      "<line class=\"axis\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" "
      "y2=\"{1:.1f}\"/><line class=\"axis\" x1=\"{0:.1f}\" y1=\"{3:.1f}\" "
      "x2=\"{0:.1f}\" y2=\"{1:.1f}\"/>\n",
      kLeft, bottom, plot.width - kRight, kTop);
}

// The part of the fitted line inside the plot, as (t, v) ends; none when it misses it.
std::optional<std::array<double, 4>> clipFit(const FitLine& f, const Plot& plot) {
  double t0 = f.t0, v0 = f.v0, t1 = f.t1, v1 = f.v1;
  if (!(t1 > t0)) return std::nullopt;
  const double slope = (v1 - v0) / (t1 - t0);
  const auto at = [&](double t) { return v0 + slope * (t - f.t0); };
  // Start where the line leaves 0 (a leak that began late) and end where it leaves the top.
  if (v0 < 0 && slope > 0) t0 = f.t0 - v0 / slope;
  if (at(t1) > plot.yMax && slope > 0) t1 = f.t0 + (plot.yMax - v0) / slope;
  t0 = std::max(t0, 0.0);
  t1 = std::min(t1, plot.xMax);
  if (!(t1 > t0)) return std::nullopt;
  return std::array<double, 4>{t0, at(t0), t1, at(t1)};
}

}  // namespace

std::vector<Tick> byteTicks(double max) {
  static constexpr std::array<const char*, 5> kNames{" B", " KiB", " MiB", " GiB", " TiB"};
  if (!(max > 0) || !std::isfinite(max)) max = 1;
  size_t unit = 0;
  double size = 1;
  while (max >= size * 1024 && unit + 1 < kNames.size()) {
    size *= 1024;
    ++unit;
  }
  return ticksIn(max, size, kNames[unit]);
}

std::vector<Tick> rateTicks(double max) {
  if (!(max > 0) || !std::isfinite(max)) max = 1;
  if (max >= 1e6) return ticksIn(max, 1e6, "M/s");
  if (max >= 1e3) return ticksIn(max, 1e3, "k/s");
  return ticksIn(max, 1, "/s");
}

std::vector<Tick> timeTicks(double maxSeconds) {
  if (!(maxSeconds > 0) || !std::isfinite(maxSeconds)) maxSeconds = 1;
  if (maxSeconds <= 120) return ticksIn(maxSeconds, 1, " s");
  if (maxSeconds <= 2 * 3600) return ticksIn(maxSeconds, 60, " min");
  return ticksIn(maxSeconds, 3600, " h");
}

std::string svgChart(const ChartSpec& spec) {
  double tMax = spec.endS, vMax = 0;
  for (const ChartLine& line : spec.lines) {
    for (const SeriesPoint& p : *line.points) {
      tMax = std::max(tMax, p.t);
      vMax = std::max(vMax, p.v);
    }
  }
  const std::vector<Tick> xs = timeTicks(tMax);
  const std::vector<Tick> ys = spec.unit == ChartUnit::Bytes ? byteTicks(vMax) : rateTicks(vMax);
  const Plot plot{static_cast<double>(spec.width), static_cast<double>(spec.height),
                  xs.back().value, ys.back().value};

  std::string out = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "xmlns=\"http://www.w3.org/2000/svg\">\n",
      spec.width, spec.height, htmlText(spec.description));
  axes(out, plot, xs, ys);
  for (const ChartLine& line : spec.lines) {
    out += fmt::format("<polyline class=\"series {}\" data-points=\"{}\" points=\"",
                       htmlText(line.cssClass), line.points->size());
    bool first = true;
    for (const SeriesPoint& p : *line.points) {
      out += fmt::format("{}{:.1f},{:.1f}", first ? "" : " ", plot.x(p.t), plot.y(p.v));
      first = false;
    }
    out += "\"/>\n";
  }
  if (spec.fit) {
    if (const auto ends = clipFit(*spec.fit, plot)) {
      const auto& e = *ends;
      out += fmt::format(
          "<line class=\"fit\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
          plot.x(e[0]), plot.y(e[1]), plot.x(e[2]), plot.y(e[3]));
    }
  }
  // The legend, above the plot.
  double x = kLeft + 10;
  std::vector<std::pair<std::string, std::string>> keys;
  for (const ChartLine& line : spec.lines) keys.emplace_back(line.cssClass, line.label);
  if (spec.fit) keys.emplace_back("fit", spec.fit->label);
  for (const auto& [cls, label] : keys) {
    out += fmt::format(
        "<line class=\"key {0}\" x1=\"{1:.1f}\" y1=\"{2:.1f}\" x2=\"{3:.1f}\" y2=\"{2:.1f}\"/>"
        "<text class=\"keytext\" x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
        htmlText(cls), x, 10.0, x + 18, x + 23, 14.0, htmlText(label));
    x += 40 + 6.5 * static_cast<double>(label.size());
  }
  out += "</svg>\n";
  return out;
}

}  // namespace slowburn::analyze
