#include "attach/proc_facts.hpp"

#include <dirent.h>
#include <sys/uio.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace slowburn::analyze::attach {
namespace {

std::string procPath(pid_t pid, const std::string& rest) {
  return "/proc/" + std::to_string(pid) + "/" + rest;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fields of a stat line after "(comm)": state is the first, starttime the 20th.
bool parseStat(const std::string& text, char* state, uint64_t* startTicks, std::string* comm,
               uint64_t* flags = nullptr) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= text.size())
    return false;
  if (comm != nullptr) *comm = text.substr(open + 1, close - open - 1);
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  for (int i = 0; rest >> field; ++i) {
    if (i == 0) *state = field.empty() ? '?' : field[0];
    if (i == 6 && flags != nullptr) *flags = std::stoull(field);
    if (i == 19) {
      if (startTicks != nullptr) *startTicks = std::stoull(field);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string readFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::optional<ProcessFacts> readProcess(pid_t pid) {
  ProcessFacts f;
  f.pid = pid;
  const std::string stat = readAll(procPath(pid, "stat"));
  if (stat.empty() || !parseStat(stat, &f.state, &f.startTicks, &f.comm, &f.flags))
    return std::nullopt;
  std::istringstream status(readAll(procPath(pid, "status")));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Uid:", 0) == 0) f.uid = static_cast<uid_t>(std::stoul(line.substr(4)));
  }
  std::error_code ec;
  f.exe = std::filesystem::read_symlink(procPath(pid, "exe"), ec).string();
  return f;
}

bool isKernelThread(const ProcessFacts& facts) { return (facts.flags & 0x00200000u) != 0; }

bool memoryReadable(pid_t pid, uint64_t address) {
  char byte;
  iovec local{&byte, 1};
  iovec remote{reinterpret_cast<void*>(address), 1};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == 1;
}

bool sameProcessAlive(pid_t pid, uint64_t startTicks) {
  const std::optional<ProcessFacts> f = readProcess(pid);
  return f && f->startTicks == startTicks && f->state != 'Z' && f->state != 'X';
}

std::vector<pid_t> threadsOf(pid_t pid) {
  std::vector<pid_t> tids;
  DIR* dir = opendir(procPath(pid, "task").c_str());
  if (dir == nullptr) return tids;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    tids.push_back(static_cast<pid_t>(std::stol(e->d_name)));
  }
  closedir(dir);
  std::sort(tids.begin(), tids.end());
  const auto main = std::find(tids.begin(), tids.end(), pid);
  if (main != tids.end()) std::rotate(tids.begin(), main, main + 1);
  return tids;
}

pid_t tracerOf(pid_t pid, pid_t tid) {
  std::istringstream status(readAll(procPath(pid, "task/" + std::to_string(tid) + "/status")));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("TracerPid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(10)));
  }
  return 0;
}

char threadState(pid_t pid, pid_t tid) {
  char state = '?';
  parseStat(readAll(procPath(pid, "task/" + std::to_string(tid) + "/stat")), &state, nullptr,
            nullptr);
  return state;
}

std::vector<MappedFile> mappedFiles(pid_t pid) {
  std::vector<MappedFile> files;
  std::istringstream maps(readAll(procPath(pid, "maps")));
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    fields >> range >> perms >> offset >> dev >> inode;
    std::getline(fields >> std::ws, path);
    if (path.empty() || path[0] != '/') continue;
    const size_t dash = range.find('-');
    const uint64_t start = std::stoull(range.substr(0, dash), nullptr, 16);
    const uint64_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    const uint64_t fileOffset = std::stoull(offset, nullptr, 16);
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const MappedFile& f) { return f.path == path; });
    if (it == files.end()) {
      files.push_back(MappedFile{path, start, end, start - fileOffset});
      continue;
    }
    it->start = std::min(it->start, start);
    it->end = std::max(it->end, end);
    if (fileOffset == 0) it->base = start;
  }
  return files;
}

const MappedFile* findMapped(const std::vector<MappedFile>& files, const std::string& prefix) {
  for (const MappedFile& f : files) {
    const size_t slash = f.path.rfind('/');
    const std::string name = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
    if (name.rfind(prefix, 0) == 0) return &f;
  }
  return nullptr;
}

}  // namespace slowburn::analyze::attach
