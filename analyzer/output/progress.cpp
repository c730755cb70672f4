#include "output/progress.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>

#include "output/terminal.hpp"
#include "output/units.hpp"

namespace slowburn::analyze {

ProgressBar ProgressBar::forFile(const std::string& path) {
  struct stat st {};
  const bool large =
      ::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) >= kMinBytes;
  return ProgressBar(large && isTerminal(stderr));
}

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!m_enabled || total == 0) return;
  const int percent = static_cast<int>(done * 100 / total);
  if (percent == m_lastPercent) return;
  m_lastPercent = percent;
  constexpr int kWidth = 40;
  const int filled = percent * kWidth / 100;
  fmt::print(stderr, "\rreading [{}{}] {:3}% of {}", std::string(filled, '#'),
             std::string(kWidth - filled, ' '), percent, formatBytes(static_cast<double>(total)));
  std::fflush(stderr);
  m_drawn = true;
}

void ProgressBar::finish() {
  if (!m_drawn) return;
  fmt::print(stderr, "\r\x1b[2K");
  std::fflush(stderr);
  m_drawn = false;
}

}  // namespace slowburn::analyze
