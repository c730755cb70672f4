#include "attach/elf_symbols.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace slowburn::analyze::attach {

DynamicSymbols::DynamicSymbols(const std::string& path) {
  elf_version(EV_CURRENT);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  if (elf == nullptr || elf_kind(elf) != ELF_K_ELF) {
    if (elf != nullptr) elf_end(elf);
    close(fd);
    throw std::runtime_error(path + " is not an ELF object");
  }
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_DYNSYM) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    const size_t count = shdr.sh_entsize == 0 ? 0 : shdr.sh_size / shdr.sh_entsize;
    for (size_t i = 0; data != nullptr && i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) continue;
      if (GELF_ST_TYPE(sym.st_info) != STT_FUNC && GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC)
        continue;
      if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
      const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (name != nullptr) m_functions.push_back(ElfSymbol{name, sym.st_value, sym.st_size});
    }
  }
  elf_end(elf);
  close(fd);
  std::sort(m_functions.begin(), m_functions.end(),
            [](const ElfSymbol& a, const ElfSymbol& b) { return a.value < b.value; });
}

std::optional<uint64_t> DynamicSymbols::find(const std::string& name) const {
  for (const ElfSymbol& s : m_functions)
    if (s.name == name) return s.value;
  return std::nullopt;
}

const ElfSymbol* DynamicSymbols::containing(uint64_t offset) const {
  auto it = std::upper_bound(m_functions.begin(), m_functions.end(), offset,
                             [](uint64_t v, const ElfSymbol& s) { return v < s.value; });
  if (it == m_functions.begin()) return nullptr;
  // Aliases share an address with sizes of their own: any of them that holds offset.
  const uint64_t value = (--it)->value;
  for (;; --it) {
    if (it->value != value) return nullptr;
    if (offset < it->value + it->size) return &*it;
    if (it == m_functions.begin()) return nullptr;
  }
}

}  // namespace slowburn::analyze::attach
