#include "record/runtime.hpp"

#include <cstring>
#include <new>

namespace slowburn::preload {
namespace {

alignas(Runtime) unsigned char s_storage[sizeof(Runtime)];

}  // namespace

bool constructRuntime(const Options& options, const char* absolutePattern) {
  auto* rt = new (s_storage) Runtime;
  rt->options = options;
  std::strncpy(rt->absolutePattern, absolutePattern, sizeof(rt->absolutePattern) - 1);
  rt->sampler = Sampler(options.sampleBytes);
  detail::s_runtime = rt;
  return rt->sites.ok();
}

}  // namespace slowburn::preload
