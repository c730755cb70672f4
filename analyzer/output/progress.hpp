#pragma once
// A one-line progress bar on stderr while a large dump is read; silent when stderr is not a
// terminal or the file is small, so logs and pipes never see it.

#include <cstdint>
#include <string>

namespace slowburn::analyze {

class ProgressBar {
 public:
  // Files below this read fast enough that a bar would only flicker.
  static constexpr uint64_t kMinBytes = 64ull << 20;

  // Shows progress for reading path when stderr is a terminal and the file is large.
  static ProgressBar forFile(const std::string& path);

  explicit ProgressBar(bool enabled) : m_enabled(enabled) {}
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ProgressBar(ProgressBar&& other) noexcept : m_enabled(other.m_enabled), m_drawn(other.m_drawn) {
    other.m_enabled = false;
  }

  void update(uint64_t done, uint64_t total);
  // Erases the bar so the next line starts clean.
  void finish();
  bool enabled() const { return m_enabled; }

 private:
  bool m_enabled;
  bool m_drawn = false;
  int m_lastPercent = -1;
};

}  // namespace slowburn::analyze
