#include "record/module_publisher.hpp"

#include <elf.h>
#include <link.h>

#include <cstring>

#include "record/channel.hpp"
#include "support/page_memory.hpp"
#include "support/proc_self.hpp"

namespace slowburn::preload {
namespace {

struct Scan {
  Channel* channel;
  bool ok;
  char exePath[format::kMaxStringBytes];
  uint8_t body[format::kMaxBuildIdBytes + format::kMaxStringBytes];
};

// NT_GNU_BUILD_ID from the object's PT_NOTE segments (already mapped in memory).
uint32_t findBuildId(const dl_phdr_info* info, const uint8_t** out) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
    const uint8_t* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, p, sizeof(note));
      const uint8_t* name = p + sizeof(note);
      const uint8_t* desc = name + ((note.n_namesz + 3) & ~3u);
      const uint8_t* next = desc + ((note.n_descsz + 3) & ~3u);
      if (next > end || desc + note.n_descsz > end) break;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && note.n_descsz <= format::kMaxBuildIdBytes) {
        *out = desc;
        return note.n_descsz;
      }
      p = next;
    }
  }
  return 0;
}

int sendModule(dl_phdr_info* info, size_t, void* data) {
  auto* scan = static_cast<Scan*>(data);
  if (!scan->ok || info->dlpi_phnum == 0) return 0;
  uint64_t highest = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && ph.p_vaddr + ph.p_memsz > highest) {
      highest = ph.p_vaddr + ph.p_memsz;
    }
  }
  if (highest == 0) return 0;
  const char* path = info->dlpi_name;
  if (path == nullptr || path[0] == '\0') {
    // The main program has no name in the loader's list.
    if (scan->exePath[0] == '\0') executablePath(scan->exePath, sizeof(scan->exePath));
    path = scan->exePath;
  }
  const uint8_t* buildId = nullptr;
  const uint32_t buildIdBytes = findBuildId(info, &buildId);
  const size_t pathBytes = strnlen(path, format::kMaxStringBytes);
  if (buildIdBytes != 0) std::memcpy(scan->body, buildId, buildIdBytes);
  std::memcpy(scan->body + buildIdBytes, path, pathBytes);
  Event head{};
  head.op = EventOp::ModuleDef;
  head.ptr = info->dlpi_addr;
  head.size = highest;
  head.site = static_cast<uint32_t>(pathBytes);
  head.thread = buildIdBytes;
  if (!scan->channel->pushMessage(head, scan->body, buildIdBytes + pathBytes)) scan->ok = false;
  return 0;
}

int readGeneration(dl_phdr_info* info, size_t size, void* data) {
  if (size < offsetof(dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) return 1;
  *static_cast<uint64_t*>(data) = info->dlpi_adds << 32 ^ info->dlpi_subs;
  return 1;  // the counters are the same on every entry: stop at the first
}

}  // namespace

bool ModulePublisher::publishIfChanged(Channel& channel) {
  uint64_t generation = 0;
  dl_iterate_phdr(readGeneration, &generation);
  if (generation == m_published.load(std::memory_order_acquire)) return true;
  // A path buffer and a message body are too big for a stack inside malloc; scans are
  // rare (the first sites after a dlopen), so each gets pages of its own and threads that
  // race never wait for each other.
  auto* scan = static_cast<Scan*>(mapPages(sizeof(Scan)));
  if (scan == nullptr) return false;
  scan->channel = &channel;
  scan->ok = true;
  dl_iterate_phdr(sendModule, scan);
  const bool ok = scan->ok;
  unmapPages(scan, sizeof(Scan));
  if (ok) m_published.store(generation, std::memory_order_release);
  return ok;
}

}  // namespace slowburn::preload
