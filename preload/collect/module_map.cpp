#include "collect/module_map.hpp"

#include <elf.h>
#include <link.h>

#include <cstring>

#include "collect/proc_self.hpp"
#include "slowburn/checksum.hpp"
#include "support/page_memory.hpp"

namespace slowburn::preload {

struct ScanState {
  ModuleMap* map;
  ModuleMap::EmitFn emit;
  void* context;
  bool ok;
  char exePath[format::kMaxStringBytes];
};

namespace {

// Finds NT_GNU_BUILD_ID in the object's PT_NOTE segments (already mapped in memory).
void findBuildId(const dl_phdr_info* info, format::ModuleView& out) {
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
        out.buildId = {reinterpret_cast<const char*>(desc), note.n_descsz};
        return;
      }
      p = next;
    }
  }
}

int generationCallback(dl_phdr_info* info, size_t size, void* data) {
  if (size < offsetof(dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) return 1;
  auto* out = static_cast<unsigned long long*>(data);
  out[0] = info->dlpi_adds;
  out[1] = info->dlpi_subs;
  return 1;  // the counters are the same on every entry: stop at the first
}

}  // namespace

int ModuleMap::scanCallback(dl_phdr_info* info, size_t, void* data) {
  auto* state = static_cast<ScanState*>(data);
  if (!state->ok || info->dlpi_phnum == 0) return 0;
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
    if (state->exePath[0] == '\0') executablePath(state->exePath, sizeof(state->exePath));
    path = state->exePath;
  }
  const uint64_t start = info->dlpi_addr;
  const uint64_t pathHash = XXH3_64bits(path, std::strlen(path));
  ModuleMap& map = *state->map;
  if (map.known(start, pathHash)) return 0;

  format::ModuleView module;
  module.loadAddress = start;
  module.size = highest;
  module.path = path;
  findBuildId(info, module);
  if (!state->emit(state->context, module) || !map.remember(start, start + highest, pathHash)) {
    state->ok = false;
  }
  return 0;
}

ModuleMap::~ModuleMap() { unmapPages(m_known, m_capacity * sizeof(Known)); }

bool ModuleMap::known(uint64_t start, uint64_t pathHash) const {
  for (size_t i = 0; i < m_count; ++i) {
    if (m_known[i].start == start && m_known[i].pathHash == pathHash) return true;
  }
  return false;
}

bool ModuleMap::covers(uint64_t address) const {
  for (size_t i = 0; i < m_count; ++i) {
    if (address >= m_known[i].start && address < m_known[i].end) return true;
  }
  return false;
}

bool ModuleMap::remember(uint64_t start, uint64_t end, uint64_t pathHash) {
  if (m_count == m_capacity) {
    const size_t capacity = m_capacity == 0 ? 256 : m_capacity * 2;
    auto* fresh = static_cast<Known*>(mapPages(capacity * sizeof(Known)));
    if (fresh == nullptr) return false;
    if (m_count != 0) std::memcpy(fresh, m_known, m_count * sizeof(Known));
    unmapPages(m_known, m_capacity * sizeof(Known));
    m_known = fresh;
    m_capacity = capacity;
  }
  m_known[m_count++] = Known{start, end, pathHash};
  return true;
}

bool ModuleMap::changed() const {
  unsigned long long counters[2] = {0, 0};
  dl_iterate_phdr(generationCallback, counters);
  return counters[0] != m_adds || counters[1] != m_subs;
}

bool ModuleMap::scan(EmitFn emit, void* context) {
  unsigned long long counters[2] = {0, 0};
  dl_iterate_phdr(generationCallback, counters);
  // The state holds a path buffer: keep it off the collector's small stack.
  static ScanState s_state;
  s_state.map = this;
  s_state.emit = emit;
  s_state.context = context;
  s_state.ok = true;
  s_state.exePath[0] = '\0';
  dl_iterate_phdr(scanCallback, &s_state);
  if (s_state.ok) {
    m_adds = counters[0];
    m_subs = counters[1];
  }
  return s_state.ok;
}

}  // namespace slowburn::preload
