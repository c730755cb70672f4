#include "record/unwinder.hpp"

#include <link.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

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
  uint64_t address;
  Range* out;
};

int findRangeCallback(dl_phdr_info* info, size_t, void* data) {
  auto* find = static_cast<FindRange*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const uint64_t start = info->dlpi_addr + ph.p_vaddr;
    if (find->address >= start && find->address < start + ph.p_memsz) {
      // The whole object, not just this segment: any of its frames is ours.
      uint64_t lo = UINT64_MAX;
      uint64_t hi = 0;
      for (int j = 0; j < info->dlpi_phnum; ++j) {
        const ElfW(Phdr)& seg = info->dlpi_phdr[j];
        if (seg.p_type != PT_LOAD) continue;
        if (info->dlpi_addr + seg.p_vaddr < lo) lo = info->dlpi_addr + seg.p_vaddr;
        if (info->dlpi_addr + seg.p_vaddr + seg.p_memsz > hi) {
          hi = info->dlpi_addr + seg.p_vaddr + seg.p_memsz;
        }
      }
      *find->out = Range{lo, hi};
      return 1;
    }
  }
  return 0;
}

Range rangeOf(const void* address) {
  Range range;
  FindRange find{reinterpret_cast<uint64_t>(address), &range};
  dl_iterate_phdr(findRangeCallback, &find);
  return range;
}

}  // namespace

void Unwinder::init() {
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
  s_self = rangeOf(reinterpret_cast<const void*>(&Unwinder::init));
  s_libunwind = rangeOf(reinterpret_cast<const void*>(&unw_backtrace));
}

bool Unwinder::isOwn(uint64_t address) {
  return s_self.contains(address) || s_libunwind.contains(address);
}

uint32_t Unwinder::capture(uint64_t* buffer, uint32_t depth) {
  static_assert(sizeof(void*) == sizeof(uint64_t));
  if (depth > format::kMaxFrames) depth = format::kMaxFrames;
  const uint32_t slack = kBufferFrames - format::kMaxFrames;
  // libunwind's own walks of the loader's list pass the fork gate in the
  // dl_iterate_phdr hook; a capture served from its cache costs nothing more.
  const int n = unw_backtrace(reinterpret_cast<void**>(buffer), static_cast<int>(depth + slack));
  // Our frames go wherever they are: the hooks above the caller, and the wrappers the
  // program runs inside (main under the exit hook, a plugin's constructors under dlopen's).
  uint32_t count = 0;
  for (uint32_t i = 0; i < static_cast<uint32_t>(n) && count < depth; ++i) {
    if (!isOwn(buffer[i])) buffer[count++] = buffer[i];
  }
  return count;
}

}  // namespace slowburn::preload
