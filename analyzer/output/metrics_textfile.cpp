#include "output/metrics_textfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace slowburn::analyze {
namespace {

std::string fileSafe(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    out += ok ? c : '_';
  }
  return out;
}

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error("cannot " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

MetricsTextfile::MetricsTextfile(const std::string& dir, std::string_view name) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("--textfile " + dir + " is not a directory");
  const std::string base = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + fileSafe(name);
  m_path = base + ".prom";
  m_temp = base + ".prom.tmp";
}

MetricsTextfile::~MetricsTextfile() {
  ::unlink(m_temp.c_str());
  if (m_written) ::unlink(m_path.c_str());
}

void MetricsTextfile::write(const std::string& text) {
  // 0644: node_exporter usually runs as a user of its own.
  const int fd =
      ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) fail("create", m_temp);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("write", m_temp);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail("write", m_temp);
  if (::rename(m_temp.c_str(), m_path.c_str()) != 0) fail("rename to", m_path);
  m_written = true;
}

}  // namespace slowburn::analyze
