#include "collect/target_watch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

#include "support/proc_self.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

constexpr uint64_t kMapsScanNs = 100000000;

uint64_t parseHex(const char*& p, const char* end) {
  uint64_t v = 0;
  while (p < end) {
    const char c = *p;
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) break;
    v = v * 16 + static_cast<uint64_t>(d);
    ++p;
  }
  return v;
}

uint64_t parseDecimal(const char*& p, const char* end) {
  uint64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  return v;
}

void skipField(const char*& p, const char* end) {
  while (p < end && *p != ' ') ++p;
  while (p < end && *p == ' ') ++p;
}

}  // namespace

bool TargetWatch::programGone() const {
  if (m_programFd < 0) return raw::ppid() != m_pid;
  // Readable once the thread group is empty (POLLNVAL: a descriptor that says nothing more).
  return raw::pollNow(m_programFd, POLLIN) > 0;
}

TargetWatch::Fate TargetWatch::poll(uint64_t nowNs) {
  if (programGone()) return Fate::Exited;
  if (!m_pipeClosed) {
    char byte;
    const ssize_t n = raw::read(m_fd, &byte, 1);
    if (n == -EAGAIN || n == -EINTR || n > 0) return Fate::Running;
    m_pipeClosed = true;  // EOF (or the descriptor is unusable): look at the mappings
  }
  if (nowNs < m_nextMapsScanNs) return Fate::Running;
  m_nextMapsScanNs = nowNs + kMapsScanNs;
  const Fate fate = lookForChannel();
  // Exiting and gone are one: the exit rule confirms it on the next look.
  if (fate == Fate::Exited) return programGone() ? Fate::Exited : Fate::Running;
  // An exit in the middle of a look (the maps file ends early) reads like an exec: a
  // second look, at once, tells them apart.
  if (fate == Fate::Replaced && !m_replaceSeen) {
    m_replaceSeen = true;
    m_nextMapsScanNs = nowNs;
    return Fate::Running;
  }
  m_replaceSeen = false;
  return fate;
}

TargetWatch::Fate TargetWatch::lookForChannel() {
  char path[64];
  if (!procPath(m_pid, "maps", path, sizeof(path))) return Fate::Running;
  const int fd = raw::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fate::Exited;
  // Lines: "start-end perms offset major:minor inode path"; read in chunks, whole lines.
  char buffer[8192];
  size_t used = 0;
  bool any = false;
  bool found = false;
  for (;;) {
    const ssize_t got = raw::read(fd, buffer + used, sizeof(buffer) - used);
    if (got <= 0) break;
    used += static_cast<size_t>(got);
    size_t start = 0;
    for (size_t i = 0; i < used; ++i) {
      if (buffer[i] != '\n') continue;
      const char* p = buffer + start;
      const char* end = buffer + i;
      any = true;
      skipField(p, end);  // range
      skipField(p, end);  // perms
      skipField(p, end);  // offset
      const uint64_t major = parseHex(p, end);
      if (p < end && *p == ':') ++p;
      const uint64_t minor = parseHex(p, end);
      while (p < end && *p == ' ') ++p;
      const uint64_t inode = parseDecimal(p, end);
      if (inode == m_ino && makedev(major, minor) == m_dev) found = true;
      start = i + 1;
    }
    if (found) break;
    std::memmove(buffer, buffer + start, used - start);
    used -= start;
    if (used == sizeof(buffer)) used = 0;  // a line longer than the buffer: skip it
  }
  raw::close(fd);
  if (found) return Fate::Running;
  return any ? Fate::Replaced : Fate::Exited;
}

}  // namespace slowburn::preload
