#pragma once
// The metrics as a file for node_exporter's textfile collector: DIR/NAME.prom, replaced
// whole by rename(2) so the collector never reads half a file, and removed when the watch
// ends, so a process that is gone leaves no stale series behind.

#include <string>
#include <string_view>

namespace slowburn::analyze {

class MetricsTextfile {
 public:
  // name: the file's name without ".prom"; characters other than [A-Za-z0-9_.-] become '_'.
  // Throws std::runtime_error when dir is not a directory.
  MetricsTextfile(const std::string& dir, std::string_view name);
  ~MetricsTextfile();
  MetricsTextfile(const MetricsTextfile&) = delete;
  MetricsTextfile& operator=(const MetricsTextfile&) = delete;

  // Replaces the file's content; throws std::runtime_error when it cannot.
  void write(const std::string& text);
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::string m_temp;  // beside it, not ending in .prom: the collector skips it
  bool m_written = false;
};

}  // namespace slowburn::analyze
