#include "rank/correlate.hpp"

#include <map>
#include <utility>

namespace slowburn::analyze {

bool isReadOp(format::SyscallOp op) {
  using format::SyscallOp;
  switch (op) {
    case SyscallOp::Read:
    case SyscallOp::Pread64:
    case SyscallOp::Readv:
    case SyscallOp::Recv:
    case SyscallOp::Recvfrom:
    case SyscallOp::Recvmsg: return true;
    default: return false;
  }
}

std::vector<CorrelationLink> correlateSites(const std::vector<CorrelationSite>& sites) {
  // The best syscall partner of each (module, function).
  std::map<std::pair<std::string, std::string>, size_t> best;
  for (size_t i = 0; i < sites.size(); ++i) {
    const CorrelationSite& s = sites[i];
    if (s.isAlloc || s.function.empty() || s.calls == 0) continue;
    auto [it, inserted] = best.try_emplace({s.module, s.function}, i);
    if (inserted) continue;
    const CorrelationSite& held = sites[it->second];
    const bool better = isReadOp(s.op) != isReadOp(held.op) ? isReadOp(s.op) : s.calls > held.calls;
    if (better) it->second = i;
  }

  std::vector<CorrelationLink> links;
  for (size_t i = 0; i < sites.size(); ++i) {
    const CorrelationSite& s = sites[i];
    if (!s.isAlloc || !s.growing || s.function.empty()) continue;
    const auto it = best.find({s.module, s.function});
    if (it == best.end()) continue;
    const double calls = static_cast<double>(sites[it->second].calls);
    links.push_back({i, it->second, static_cast<double>(s.retainedBytes) / calls});
  }
  return links;
}

}  // namespace slowburn::analyze
