#include "collect/collector_args.hpp"

namespace slowburn::preload {
namespace {

constexpr char kProgramName[] = "slowburn-collector";
constexpr char kNoDescriptor[] = "-1";

void formatFd(int fd, char* out) {
  if (fd < 0) {
    for (int i = 0; i < static_cast<int>(sizeof(kNoDescriptor)); ++i) out[i] = kNoDescriptor[i];
    return;
  }
  char digits[12];
  int n = 0;
  auto v = static_cast<unsigned>(fd);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
}

bool parseFd(const char* text, bool optional, int* out) {
  if (text == nullptr || *text == '\0') return false;
  if (optional && text[0] == '-' && text[1] == '1' && text[2] == '\0') {
    *out = -1;
    return true;
  }
  long v = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || v > 1000000) return false;
    v = v * 10 + (*p - '0');
  }
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

void CollectorArgv::fill(const CollectorFds& fds) {
  formatFd(fds.channel, m_numbers[0]);
  formatFd(fds.liveness, m_numbers[1]);
  formatFd(fds.program, m_numbers[2]);
  m_argv[0] = const_cast<char*>(kProgramName);
  for (int i = 0; i < 3; ++i) m_argv[i + 1] = m_numbers[i];
  m_argv[4] = nullptr;
}

bool parseCollectorArgs(int argc, const char* const* argv, CollectorFds* out) {
  return argc == 4 && parseFd(argv[1], false, &out->channel) &&
         parseFd(argv[2], false, &out->liveness) && parseFd(argv[3], true, &out->program);
}

}  // namespace slowburn::preload
