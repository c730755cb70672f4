#include "record/runtime.hpp"

#include <sys/mman.h>

#include <cstring>
#include <new>

#include "support/page_memory.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {

bool constructRuntime(const Options& options, const char* absolutePattern) {
  auto* rt = new (detail::s_runtimeStorage) Runtime;
  rt->options = options;
  std::strncpy(rt->absolutePattern, absolutePattern, sizeof(rt->absolutePattern) - 1);
  rt->sampler = Sampler(options.sampleBytes);
  void* page = mapPages(sizeof(detail::ChannelLink));
  if (page == nullptr || raw::madvise(page, roundToPages(1), MADV_WIPEONFORK) != 0) return false;
  detail::s_link = new (page) detail::ChannelLink{};
  detail::s_runtimeBuilt = true;
  return rt->sites.ok();
}

void setCurrentChannel(Channel* channel) {
  detail::s_link->channel.store(channel, std::memory_order_release);
}

}  // namespace slowburn::preload
