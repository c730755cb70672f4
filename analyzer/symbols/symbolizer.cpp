#include "symbols/symbolizer.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>

#include "symbols/demangle.hpp"

namespace slowburn::analyze {
namespace {

// One address range of a concrete function in a compilation unit.
struct FunctionRange {
  Dwarf_Addr low = 0;
  Dwarf_Addr high = 0;
  Dwarf_Off die = 0;
};

// A module from the dump and, once an address inside it is looked up, its file in libdwfl.
// Each module gets its own Dwfl so a replaced module (dlclose/dlopen) can simply be dropped.
struct ModuleFile {
  Module info;
  bool opened = false;
  Dwfl* dwfl = nullptr;
  Dwfl_Module* module = nullptr;  // null when the file cannot be trusted; note says why
  std::string note;
  std::unordered_map<Dwarf_Off, std::vector<FunctionRange>> functionsByCu;
  // Sized symbols already found, by start address: libdwfl's symbol lookup scans the symbol
  // table, so every other address inside a known function is answered from here.
  struct SymbolRange {
    uint64_t end = 0;
    std::string name;  // demangled
  };
  std::map<uint64_t, SymbolRange> symbols;

  explicit ModuleFile(const Module& i) : info(i) {}
  ~ModuleFile() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }
  ModuleFile(const ModuleFile&) = delete;
  ModuleFile& operator=(const ModuleFile&) = delete;

  uint64_t end() const {
    const uint64_t size = info.size == 0 ? 1 : info.size;
    const uint64_t room = std::numeric_limits<uint64_t>::max() - info.loadAddress;
    return info.loadAddress + (size < room ? size : room);
  }
};

uint64_t pageUp(uint64_t v) { return (v + 4095) & ~uint64_t{4095}; }

// The highest PT_LOAD end, computed as the preload computes a module's recorded size.
uint64_t loadExtent(Elf* elf) {
  size_t count = 0;
  if (elf == nullptr || elf_getphdrnum(elf, &count) != 0) return 0;
  uint64_t extent = 0;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf, static_cast<int>(i), &phdr) != nullptr && phdr.p_type == PT_LOAD) {
      extent = std::max<uint64_t>(extent, phdr.p_vaddr + phdr.p_memsz);
    }
  }
  return extent;
}

std::string dieFunctionName(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  // dwarf_attr_integrate follows abstract_origin and specification to the declaration.
  for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (dwarf_attr_integrate(die, name, &attr) != nullptr) {
      if (const char* s = dwarf_formstring(&attr)) return demangle(s);
    }
  }
  if (dwarf_attr_integrate(die, DW_AT_name, &attr) != nullptr) {
    if (const char* s = dwarf_formstring(&attr)) return s;
  }
  return {};
}

// DWARF 5 line tables name files relative to the compilation directory ("src/app.cpp").
std::string absoluteSource(const char* file, const char* compDir) {
  if (file == nullptr) return {};
  if (file[0] == '/' || compDir == nullptr || compDir[0] == '\0') return file;
  std::string path(compDir);
  if (path.back() != '/') path += '/';
  return path + file;
}

// Where an inlined subroutine was called from, in the function it was inlined into.
void callSite(Dwarf_Die* inlined, std::string& file, int& line) {
  file.clear();
  line = 0;
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_attr(inlined, DW_AT_call_line, &attr) != nullptr &&
      dwarf_formudata(&attr, &value) == 0 &&
      value <= static_cast<Dwarf_Word>(std::numeric_limits<int>::max())) {
    line = static_cast<int>(value);
  }
  Dwarf_Die cu;
  Dwarf_Files* files = nullptr;
  size_t fileCount = 0;
  if (dwarf_attr(inlined, DW_AT_call_file, &attr) != nullptr &&
      dwarf_formudata(&attr, &value) == 0 &&
      dwarf_diecu(inlined, &cu, nullptr, nullptr) != nullptr &&
      dwarf_getsrcfiles(&cu, &files, &fileCount) == 0 && value < fileCount) {
    Dwarf_Attribute compDir;
    file = absoluteSource(dwarf_filesrc(files, value, nullptr, nullptr),
                          dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &compDir)));
  }
}

// Every concrete function of a CU, found in one walk and sorted by address: dwarf_getscopes
// walks the CU from its root on every lookup, milliseconds each in template-heavy code.
void collectFunctions(Dwarf_Die* parent, std::vector<FunctionRange>& out, int depth) {
  Dwarf_Die child;
  if (depth > 32 || dwarf_child(parent, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    if (tag == DW_TAG_namespace || tag == DW_TAG_module) {
      collectFunctions(&child, out, depth + 1);
    } else if (tag == DW_TAG_subprogram) {
      Dwarf_Addr base = 0, low = 0, high = 0;
      for (ptrdiff_t at = 0; (at = dwarf_ranges(&child, at, &base, &low, &high)) > 0;) {
        out.push_back({low, high, dwarf_dieoffset(&child)});
      }
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

// Appends the inlined calls inside scope that contain pc, outermost first.
void inlinedCallsAt(Dwarf_Die* scope, Dwarf_Addr pc, std::vector<Dwarf_Die>& calls, int depth) {
  Dwarf_Die child;
  if (depth > 64 || dwarf_child(scope, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block &&
        tag != DW_TAG_try_block && tag != DW_TAG_catch_block) {
      continue;
    }
    // A block without addresses may still hold inlined calls that have them.
    const bool hasPc = dwarf_hasattr(&child, DW_AT_low_pc) || dwarf_hasattr(&child, DW_AT_ranges);
    if (hasPc && dwarf_haspc(&child, pc) != 1) continue;
    const size_t before = calls.size();
    if (tag == DW_TAG_inlined_subroutine) calls.push_back(child);
    inlinedCallsAt(&child, pc, calls, depth + 1);
    if (hasPc || calls.size() > before) return;
  } while (dwarf_siblingof(&child, &child) == 0);
}

// The innermost DIE containing pc and its physical parents, innermost first. dwarf_getscopes
// alone would continue from an inlined body into its abstract definition's scopes.
std::vector<Dwarf_Die> scopesByWalk(Dwarf_Die* cu, Dwarf_Addr pc) {
  Dwarf_Die* scopes = nullptr;
  const int found = dwarf_getscopes(cu, pc, &scopes);
  if (found <= 0) {
    std::free(scopes);
    return {};
  }
  Dwarf_Die innermost = scopes[0];
  std::free(scopes);
  scopes = nullptr;
  const int depth = dwarf_getscopes_die(&innermost, &scopes);
  std::vector<Dwarf_Die> dies;
  for (int i = 0; i < depth; ++i) dies.push_back(scopes[i]);
  std::free(scopes);
  return dies;
}

}  // namespace

struct Symbolizer::Impl {
  std::string debugPath;
  char* debugPathPtr = nullptr;
  Dwfl_Callbacks callbacks{};
  std::map<uint64_t, std::unique_ptr<ModuleFile>> modules;  // by load address

  ModuleFile* find(uint64_t pc) {
    auto it = modules.upper_bound(pc);
    if (it == modules.begin()) return nullptr;
    --it;
    ModuleFile& m = *it->second;
    return (pc < m.end() || m.info.size == 0) ? &m : nullptr;
  }

  void open(ModuleFile& m) {
    m.opened = true;
    if (m.info.path.empty() || m.info.path[0] == '[') {
      m.note = "no file";
      return;
    }
    if (m.info.path.starts_with("linux-vdso") || m.info.path.starts_with("linux-gate")) {
      m.note = "kernel vDSO";
      return;
    }
    // O_NONBLOCK: a FIFO or device swapped in at the path must not block the analyzer.
    const int fd = ::open(m.info.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
      m.note = fmt::format("cannot open: {}", std::strerror(errno));
      return;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      m.note = "not a regular file";
      return;
    }
    m.dwfl = dwfl_begin(&callbacks);
    if (m.dwfl == nullptr) {
      ::close(fd);
      m.note = "libdwfl failed";
      return;
    }
    dwfl_report_begin(m.dwfl);
    // On success libdwfl owns fd; on failure it is still ours.
    Dwfl_Module* module = dwfl_report_elf(m.dwfl, m.info.path.c_str(), m.info.path.c_str(), fd,
                                          m.info.loadAddress, true);
    dwfl_report_end(m.dwfl, nullptr, nullptr);
    if (module == nullptr) {
      ::close(fd);
      m.note = "not an ELF file";
      return;
    }
    if (!matchesRecording(m, module)) return;
    m.module = module;
  }

  // A rebuilt file would give confident but wrong lines: refuse it. The build-id decides
  // when the dump has one; otherwise the loaded extent must agree with the recorded size.
  static bool matchesRecording(ModuleFile& m, Dwfl_Module* module) {
    if (!m.info.buildId.empty()) {
      const unsigned char* bits = nullptr;
      GElf_Addr vaddr = 0;
      const int length = dwfl_module_build_id(module, &bits, &vaddr);
      const bool same = length > 0 && static_cast<size_t>(length) == m.info.buildId.size() &&
                        std::memcmp(bits, m.info.buildId.data(), m.info.buildId.size()) == 0;
      if (!same) m.note = "build-id mismatch";
      return same;
    }
    if (m.info.size == 0) return true;
    Dwarf_Addr bias = 0;
    const uint64_t extent = loadExtent(dwfl_module_getelf(module, &bias));
    const bool same = pageUp(extent) == pageUp(m.info.size);
    if (!same) m.note = "file changed since recording";
    return same;
  }

  std::vector<Frame> expand(uint64_t address, bool isReturnAddress) {
    Frame base;
    base.address = address;
    // A return address points after the call; address-1 is inside the call instruction.
    const uint64_t pc = (isReturnAddress && address > 0) ? address - 1 : address;
    ModuleFile* m = find(pc);
    if (m == nullptr) return {base};
    base.module = m->info.path;
    base.offset = address - m->info.loadAddress;
    if (!m->opened) open(*m);
    if (m->module == nullptr) {
      base.note = m->note;
      return {base};
    }
    return describe(*m, pc, base);
  }

  // The innermost DIE containing pc and its parents up to the function, innermost first.
  static std::vector<Dwarf_Die> containingDies(ModuleFile& file, Dwarf_Addr pc) {
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(file.module, pc, &bias);
    if (cu == nullptr) return {};
    const Dwarf_Addr rel = pc - bias;
    auto indexed = file.functionsByCu.find(dwarf_dieoffset(cu));
    if (indexed == file.functionsByCu.end()) {
      std::vector<FunctionRange> functions;
      collectFunctions(cu, functions, 0);
      std::sort(functions.begin(), functions.end(),
                [](const FunctionRange& a, const FunctionRange& b) { return a.low < b.low; });
      indexed = file.functionsByCu.emplace(dwarf_dieoffset(cu), std::move(functions)).first;
    }
    const std::vector<FunctionRange>& functions = indexed->second;
    auto it = std::upper_bound(functions.begin(), functions.end(), rel,
                               [](Dwarf_Addr a, const FunctionRange& r) { return a < r.low; });
    Dwarf_Die function;
    Dwarf* dwarf = dwfl_module_getdwarf(file.module, &bias);
    if (it == functions.begin() || rel >= std::prev(it)->high || dwarf == nullptr ||
        dwarf_offdie(dwarf, std::prev(it)->die, &function) == nullptr) {
      // Functions nested in classes or other functions: the slow general walk.
      return scopesByWalk(cu, rel);
    }
    std::vector<Dwarf_Die> dies;
    inlinedCallsAt(&function, rel, dies, 0);
    std::reverse(dies.begin(), dies.end());
    dies.push_back(function);
    return dies;
  }

  // The demangled symbol covering pc, "" when none does.
  static std::string symbolAt(ModuleFile& file, uint64_t pc) {
    auto known = file.symbols.upper_bound(pc);
    if (known != file.symbols.begin() && pc < std::prev(known)->second.end) {
      return std::prev(known)->second.name;
    }
    GElf_Off symbolOffset = 0;
    GElf_Sym symbol{};
    const char* name =
        dwfl_module_addrinfo(file.module, pc, &symbolOffset, &symbol, nullptr, nullptr, nullptr);
    // Without .symtab the nearest exported symbol may be far away: trust it only if sized
    // and covering pc.
    const bool covers = name != nullptr && (symbolOffset < symbol.st_size ||
                                            (symbol.st_size == 0 && symbolOffset == 0));
    if (!covers) return {};
    std::string demangled = demangle(name);
    if (symbol.st_size > 0 && symbolOffset <= pc) {
      const uint64_t start = pc - symbolOffset;
      file.symbols.emplace(start, ModuleFile::SymbolRange{start + symbol.st_size, demangled});
    }
    return demangled;
  }

  static std::vector<Frame> describe(ModuleFile& file, uint64_t pc, const Frame& base) {
    Dwfl_Module* module = file.module;
    Frame innermost = base;
    if (Dwfl_Line* line = dwfl_module_getsrc(module, pc)) {
      int lineNo = 0;
      if (const char* file = dwfl_lineinfo(line, nullptr, &lineNo, nullptr, nullptr, nullptr)) {
        innermost.file = absoluteSource(file, dwfl_line_comp_dir(line));
        innermost.line = lineNo;
      }
    }
    const std::string symbolName = symbolAt(file, pc);

    std::vector<Frame> chain;
    Frame current = innermost;
    for (Dwarf_Die& die : containingDies(file, pc)) {
      const int tag = dwarf_tag(&die);
      if (tag == DW_TAG_inlined_subroutine) {
        current.function = dieFunctionName(&die);
        chain.push_back(current);
        callSite(&die, current.file, current.line);
      } else if (tag == DW_TAG_subprogram) {
        const std::string dieName = dieFunctionName(&die);
        // The symbol name, as a build without DWARF would give (clones included).
        current.function = symbolName.empty() ? dieName : symbolName;
        chain.push_back(current);
        break;
      }
    }
    if (chain.empty()) {
      innermost.function = symbolName;
      if (innermost.function.empty() && innermost.file.empty()) innermost.note = "no symbol";
      chain.push_back(innermost);
    }
    return chain;
  }
};

Symbolizer::Symbolizer(SymbolizerOptions options) : m_impl(std::make_unique<Impl>()) {
  // libdwfl's path syntax: "" = the module's own directory, ".debug" below it, then roots
  // holding .build-id/xx/yyyy.debug trees.
  m_impl->debugPath = ":.debug";
  for (const std::string& root : options.debugRoots) m_impl->debugPath += ":" + root;
  m_impl->debugPathPtr = m_impl->debugPath.data();
  m_impl->callbacks.find_elf = dwfl_build_id_find_elf;
  m_impl->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
  m_impl->callbacks.section_address = dwfl_offline_section_address;
  m_impl->callbacks.debuginfo_path = &m_impl->debugPathPtr;
}

Symbolizer::~Symbolizer() = default;

void Symbolizer::addModule(const Module& module) {
  auto added = std::make_unique<ModuleFile>(module);
  const uint64_t start = added->info.loadAddress;
  const uint64_t end = added->end();
  for (auto it = m_impl->modules.begin(); it != m_impl->modules.end();) {
    const bool overlaps = it->second->info.loadAddress < end && start < it->second->end();
    it = overlaps ? m_impl->modules.erase(it) : std::next(it);
  }
  m_impl->modules[start] = std::move(added);
}

std::vector<Frame> Symbolizer::resolveInlineChain(uint64_t address, bool isReturnAddress) {
  return m_impl->expand(address, isReturnAddress);
}

}  // namespace slowburn::analyze
