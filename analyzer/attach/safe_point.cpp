#include "attach/safe_point.hpp"

#include <elfutils/libdwfl.h>

#include <algorithm>
#include <cstring>

namespace slowburn::analyze::attach {
namespace {

constexpr size_t kMaxFrames = 256;

// libc functions a borrowed thread must not be inside: they hold allocator state, the
// loader's or atfork's locks, or are taking the process or thread down.
constexpr const char* kUnsafeFunctions[] = {"malloc",
                                            "free",
                                            "calloc",
                                            "realloc",
                                            "reallocarray",
                                            "memalign",
                                            "posix_memalign",
                                            "aligned_alloc",
                                            "valloc",
                                            "pvalloc",
                                            "cfree",
                                            "malloc_trim",
                                            "malloc_stats",
                                            "malloc_info",
                                            "mallinfo",
                                            "mallinfo2",
                                            "mallopt",
                                            "__libc_malloc",
                                            "__libc_free",
                                            "__libc_calloc",
                                            "__libc_realloc",
                                            "__libc_memalign",
                                            "__libc_valloc",
                                            "__libc_pvalloc",
                                            "fork",
                                            "_Fork",
                                            "__libc_fork",
                                            "vfork",
                                            "pthread_atfork",
                                            "__register_atfork",
                                            "dlopen",
                                            "dlmopen",
                                            "dlclose",
                                            "dlsym",
                                            "dlvsym",
                                            "dladdr",
                                            "dladdr1",
                                            "dlinfo",
                                            "dlerror",
                                            "dl_iterate_phdr",
                                            "__libc_dlopen_mode",
                                            "__libc_dlsym",
                                            "__libc_dlvsym",
                                            "__libc_dlclose",
                                            "exit",
                                            "_exit",
                                            "_Exit",
                                            "quick_exit",
                                            "abort",
                                            "__cxa_finalize",
                                            "__call_tls_dtors",
                                            "pthread_create",
                                            "pthread_exit",
                                            "__libc_freeres",
                                            "backtrace",
                                            "posix_spawn",
                                            "posix_spawnp",
                                            "system",
                                            "popen",
                                            "setlocale",
                                            "newlocale",
                                            "freelocale",
                                            "setxid",
                                            "setuid",
                                            "setgid",
                                            "seteuid",
                                            "setegid",
                                            "setreuid",
                                            "setregid",
                                            "setresuid",
                                            "setresgid",
                                            "setgroups"};

bool unsafeName(const std::string& name) {
  for (const char* u : kUnsafeFunctions)
    if (name == u) return true;
  return false;
}

int noDebuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*, GElf_Word,
                char**) {
  return -1;  // the .eh_frame of each module is all the unwinding needs
}

const Dwfl_Callbacks kCallbacks = {
    dwfl_linux_proc_find_elf,
    noDebuginfo,
    nullptr,
    nullptr,
};

struct Walk {
  std::vector<uint64_t> pcs;
};

int onFrame(Dwfl_Frame* frame, void* arg) {
  auto* walk = static_cast<Walk*>(arg);
  Dwarf_Addr pc = 0;
  bool activation = false;
  if (!dwfl_frame_pc(frame, &pc, &activation)) return DWARF_CB_ABORT;
  // A return address points after the call: the call itself is one byte before.
  walk->pcs.push_back(activation || pc == 0 ? pc : pc - 1);
  return walk->pcs.size() < kMaxFrames ? DWARF_CB_OK : DWARF_CB_ABORT;
}

bool nameIs(const std::string& path, const char* prefix) {
  const size_t slash = path.rfind('/');
  return path.compare(slash == std::string::npos ? 0 : slash + 1, std::strlen(prefix), prefix) == 0;
}

}  // namespace

SafePoints::SafePoints(pid_t pid, const std::vector<MappedFile>& files, const DynamicSymbols& libc,
                       uint64_t libcBase, const MappedFile& libcFile)
    : m_libc(libc), m_libcBase(libcBase), m_libcRange{libcFile.start, libcFile.end, "libc"} {
  for (const MappedFile& f : files) {
    if (nameIs(f.path, "ld-linux") || nameIs(f.path, "ld64.so")) {
      m_neverSafe.push_back(Range{f.start, f.end, "the loader"});
    } else if (nameIs(f.path, "libunwind")) {
      m_neverSafe.push_back(Range{f.start, f.end, "libunwind"});
    }
  }
  m_dwfl = dwfl_begin(&kCallbacks);
  if (m_dwfl == nullptr) return;
  dwfl_report_begin(m_dwfl);
  const bool reported = dwfl_linux_proc_report(m_dwfl, pid) == 0;
  dwfl_report_end(m_dwfl, nullptr, nullptr);
  m_attached = reported && dwfl_linux_proc_attach(m_dwfl, pid, true) == 0;
}

SafePoints::~SafePoints() {
  if (m_dwfl != nullptr) dwfl_end(m_dwfl);
}

const char* SafePoints::neverSafeModule(uint64_t pc) const {
  for (const Range& r : m_neverSafe)
    if (pc >= r.start && pc < r.end) return r.name;
  return nullptr;
}

std::string SafePoints::verdict(pid_t tid) {
  if (!m_attached) return "its stack cannot be unwound";
  Walk walk;
  dwfl_getthread_frames(m_dwfl, tid, onFrame, &walk);  // an error ends the walk: judge what we have
  const std::vector<uint64_t>& pcs = walk.pcs;
  if (pcs.empty()) return "its stack cannot be unwound";
  const auto inLibc = [this](uint64_t pc) {
    return pc >= m_libcRange.start && pc < m_libcRange.end;
  };
  for (const uint64_t pc : pcs) {
    if (const char* module = neverSafeModule(pc)) return std::string("it is inside ") + module;
    if (!inLibc(pc)) continue;
    const ElfSymbol* fn = m_libc.containing(pc - m_libcBase);
    if (fn != nullptr && unsafeName(fn->name)) return "it is inside " + fn->name + "()";
  }
  // Each stretch of libc frames must have been entered through a function we can name.
  for (size_t i = 0; i < pcs.size();) {
    if (!inLibc(pcs[i])) {
      ++i;
      continue;
    }
    size_t last = i;
    while (last + 1 < pcs.size() && inLibc(pcs[last + 1])) ++last;
    const bool called = last + 1 < pcs.size();
    if (called && m_libc.containing(pcs[last] - m_libcBase) == nullptr)
      return "it is inside libc code called from where it cannot tell";
    if (!called && i == 0) return "it is starting or ending a thread";
    i = last + 1;
  }
  return "";
}

}  // namespace slowburn::analyze::attach
