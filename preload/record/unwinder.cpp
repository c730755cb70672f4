#include "record/unwinder.hpp"

#include <dlfcn.h>
#include <link.h>

#include <cstring>
#include <new>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "record/cfi_reader.hpp"
#include "record/frame_rule_cache.hpp"
#include "record/stack_memo.hpp"

namespace slowburn::preload {
namespace {

struct Range {
  uint64_t start = 0;
  uint64_t end = 0;
  bool contains(uint64_t a) const { return a >= start && a < end; }
};

Range s_self;
Range s_libunwind;

struct FindRange {
  uint64_t address;   // find the object holding this address,
  uint64_t loadBias;  // or, when address is 0, the one loaded here
  const char* name;   // under this name
  Range* out;
};

Range wholeObject(const dl_phdr_info* info) {
  Range r{UINT64_MAX, 0};
  for (int j = 0; j < info->dlpi_phnum; ++j) {
    const ElfW(Phdr)& seg = info->dlpi_phdr[j];
    if (seg.p_type != PT_LOAD) continue;
    const uint64_t start = info->dlpi_addr + seg.p_vaddr;
    if (start < r.start) r.start = start;
    if (start + seg.p_memsz > r.end) r.end = start + seg.p_memsz;
  }
  return r;
}

int findRangeCallback(dl_phdr_info* info, size_t, void* data) {
  auto* find = static_cast<FindRange*>(data);
  if (find->address == 0) {
    if (info->dlpi_addr != find->loadBias || info->dlpi_name == nullptr ||
        std::strcmp(info->dlpi_name, find->name) != 0)
      return 0;
    *find->out = wholeObject(info);
    return 1;
  }
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const uint64_t start = info->dlpi_addr + ph.p_vaddr;
    if (find->address >= start && find->address < start + ph.p_memsz) {
      // The whole object, not just this segment: any of its frames is ours.
      *find->out = wholeObject(info);
      return 1;
    }
  }
  return 0;
}

Range rangeOf(const void* address) {
  Range range;
  FindRange find{reinterpret_cast<uint64_t>(address), 0, nullptr, &range};
  dl_iterate_phdr(findRangeCallback, &find);
  return range;
}

}  // namespace

uint32_t Unwinder::captureSlow(uint64_t* buffer, uint32_t depth) {
  const uint32_t slack = Unwinder::kBufferFrames - format::kMaxFrames;
  // libunwind's own walks of the loader's list pass the fork gate in the
  // dl_iterate_phdr hook.
  const int n = unw_backtrace(reinterpret_cast<void**>(buffer), static_cast<int>(depth + slack));
  // Our frames go wherever they are: the hooks above the caller, and the wrappers the
  // program runs inside (main under the exit hook, a plugin's constructors under dlopen's).
  uint32_t count = 0;
  for (uint32_t i = 0; i < static_cast<uint32_t>(n) && count < depth; ++i) {
    if (!Unwinder::isOwn(buffer[i])) buffer[count++] = buffer[i];
  }
  return count;
}

void Unwinder::init() {
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
  s_self = rangeOf(reinterpret_cast<const void*>(&Unwinder::init));
  s_selfStart = s_self.start;
  s_selfSize = s_self.end - s_self.start;
  s_libunwind = rangeOf(reinterpret_cast<const void*>(&unw_backtrace));
  if (!s_rulesBuilt) new (s_rulesStorage) FrameRuleCache(&cfi::ruleAt);
  s_rulesBuilt = true;
  StackMemo::init();
}

bool Unwinder::isOwn(uint64_t address) {
  return s_self.contains(address) || s_libunwind.contains(address);
}

int Unwinder::walk(uint64_t ip, uint64_t sp, uint64_t bp, uint64_t* buffer, uint32_t depth,
                   bool skipOwn) {
  Frame f{ip, sp, bp};
  uint32_t count = 0;
  // Bounded in steps too: skipped frames take no room in the buffer.
  for (uint32_t steps = 0; count < depth && f.ip != 0 && steps < kBufferFrames; ++steps) {
    if (!skipOwn || !s_self.contains(f.ip)) buffer[count++] = f.ip;
    const FrameRule rule = rules().ruleFor(f.ip);
    if (!rule.isStep()) [[unlikely]] {
      if (rule.kind() == FrameRule::Kind::Outermost) break;
      return -1;
    }
    if (!step(rule, f)) break;
  }
  return static_cast<int>(count);
}

uint32_t Unwinder::capture(uint64_t* buffer, uint32_t depth) {
  static_assert(sizeof(void*) == sizeof(uint64_t));
  if (depth > format::kMaxFrames) depth = format::kMaxFrames;
  // This library's functions all keep rbp as a frame pointer: [fp] is the caller's rbp,
  // [fp + 8] the return address, fp + 16 the caller's stack pointer after the return.
  const Frame f = firstOutside();
  // Our frames go wherever they are (see captureWithLibunwind): the walk steps through them.
  const int n = walk(f.ip, f.sp, f.bp, buffer, depth, true);
  if (n >= 0) [[likely]]
    return static_cast<uint32_t>(n);
  return captureSlow(buffer, depth);
}

Unwinder::Extent Unwinder::extentOf(void* handle) {
  link_map* map = nullptr;
  if (handle == nullptr || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr) return {};
  Range range;
  FindRange find{0, map->l_addr, map->l_name, &range};
  dl_iterate_phdr(findRangeCallback, &find);
  return {range.start, range.end};
}

void Unwinder::forget(Extent extent) {
  if (s_rulesBuilt && extent.start < extent.end) rules().forgetRange(extent.start, extent.end);
  s_rulesEpoch.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace slowburn::preload
