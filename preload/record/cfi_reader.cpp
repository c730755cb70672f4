#include "record/cfi_reader.hpp"

#include <dlfcn.h>

#include <cstring>

// glibc 2.35 and later; a weak reference keeps the library loadable on older ones, which
// then find the object with dl_iterate_phdr.
#pragma weak _dl_find_object

#include <link.h>

namespace slowburn::preload::cfi {
namespace {

// DWARF register numbers on x86-64 (System V psABI, figure 3.36).
constexpr uint64_t kRbp = 6;
constexpr uint64_t kRsp = 7;
constexpr uint64_t kReturnAddress = 16;

constexpr uint8_t kOmit = 0xff;
constexpr uint8_t kDatarelSdata4 = 0x3b;
constexpr unsigned kStateStack = 8;

// A bounded reader over one CIE or FDE; any read past the end makes it fail for good.
class Cursor {
 public:
  Cursor(const uint8_t* p, const uint8_t* end) : m_p(p), m_end(end) {}

  bool ok() const { return m_ok; }
  bool atEnd() const { return m_p >= m_end; }
  const uint8_t* here() const { return m_p; }

  template <class T>
  T fixed() {
    T v{};
    if (!need(sizeof(T))) return v;
    std::memcpy(&v, m_p, sizeof(T));
    m_p += sizeof(T);
    return v;
  }
  uint8_t u8() { return fixed<uint8_t>(); }
  uint64_t uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      if (!need(1) || shift > 63) return fail();
      const uint8_t b = *m_p++;
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
  }
  int64_t sleb() {
    int64_t v = 0;
    unsigned shift = 0;
    for (;;) {
      if (!need(1) || shift > 63) return static_cast<int64_t>(fail());
      const uint8_t b = *m_p++;
      v |= static_cast<int64_t>(uint64_t{b & 0x7fu} << shift);
      shift += 7;
      if ((b & 0x80) == 0) {
        if (shift < 64 && (b & 0x40)) v |= -(int64_t{1} << shift);
        return v;
      }
    }
  }
  void skip(uint64_t n) {
    if (need(n)) m_p += n;
  }
  const char* cstring() {
    const char* s = reinterpret_cast<const char*>(m_p);
    while (need(1) && *m_p != 0) ++m_p;
    if (need(1)) ++m_p;
    return s;
  }
  // A pointer in one of the .eh_frame encodings; dataBase anchors DW_EH_PE_datarel.
  uint64_t encoded(uint8_t encoding, uint64_t dataBase) {
    const auto at = reinterpret_cast<uint64_t>(m_p);
    uint64_t v = 0;
    switch (encoding & 0x0f) {
      case 0x00: v = fixed<uint64_t>(); break;
      case 0x01: v = uleb(); break;
      case 0x02: v = fixed<uint16_t>(); break;
      case 0x03: v = fixed<uint32_t>(); break;
      case 0x04: v = fixed<uint64_t>(); break;
      case 0x09: v = static_cast<uint64_t>(sleb()); break;
      case 0x0a: v = static_cast<uint64_t>(int64_t{fixed<int16_t>()}); break;
      case 0x0b: v = static_cast<uint64_t>(int64_t{fixed<int32_t>()}); break;
      case 0x0c: v = fixed<uint64_t>(); break;
      default: return fail();
    }
    switch (encoding & 0x70) {
      case 0x00: break;
      case 0x10: v += at; break;
      case 0x30: v += dataBase; break;
      default: return fail();  // textrel, funcrel, aligned: not used on x86-64 Linux
    }
    if (encoding & 0x80) {
      if (v == 0) return fail();
      std::memcpy(&v, reinterpret_cast<const void*>(v), sizeof(v));
    }
    return v;
  }
  uint64_t fail() {
    m_ok = false;
    m_p = m_end;
    return 0;
  }

 private:
  bool need(uint64_t n) {
    if (m_ok && static_cast<uint64_t>(m_end - m_p) >= n) return true;
    fail();
    return false;
  }

  const uint8_t* m_p;
  const uint8_t* m_end;
  bool m_ok = true;
};

// A CIE or FDE entry: its body (after the length) and where it ends.
struct Entry {
  const uint8_t* body = nullptr;
  const uint8_t* end = nullptr;
};

bool readEntry(const uint8_t* at, Entry* out) {
  uint32_t len32 = 0;
  std::memcpy(&len32, at, 4);
  if (len32 == 0) return false;            // the terminator
  if (len32 == 0xffffffffu) return false;  // 64-bit DWARF: never emitted in .eh_frame
  out->body = at + 4;
  out->end = out->body + len32;
  return true;
}

struct Cie {
  uint64_t codeAlign = 1;
  int64_t dataAlign = 1;
  uint64_t returnRegister = kReturnAddress;
  uint8_t fdeEncoding = 0;
  bool hasAugmentationData = false;
  bool signalFrame = false;
  const uint8_t* instructions = nullptr;
  const uint8_t* end = nullptr;
};

bool readCie(const uint8_t* at, Cie* cie) {
  Entry e;
  if (!readEntry(at, &e)) return false;
  Cursor c(e.body, e.end);
  if (c.fixed<uint32_t>() != 0) return false;  // a CIE's id is 0 in .eh_frame
  const uint8_t version = c.u8();
  if (version != 1 && version != 3 && version != 4) return false;
  const char* augmentation = c.cstring();
  if (version == 4) c.skip(2);  // address size, segment selector size
  cie->codeAlign = c.uleb();
  cie->dataAlign = c.sleb();
  cie->returnRegister = version == 1 ? c.u8() : c.uleb();
  const char* a = augmentation;
  if (*a == 'z') {
    cie->hasAugmentationData = true;
    const uint64_t length = c.uleb();
    const uint8_t* dataEnd = c.here() + length;
    for (++a; *a != '\0'; ++a) {
      if (*a == 'R') {
        cie->fdeEncoding = c.u8();
      } else if (*a == 'L') {
        c.u8();
      } else if (*a == 'P') {
        c.encoded(c.u8() & 0x7f, 0);  // the personality: stepped over, never dereferenced
      } else if (*a == 'S') {
        cie->signalFrame = true;
      } else {
        break;  // unknown letters: the length lets us step over their data
      }
    }
    if (!c.ok() || dataEnd > e.end || dataEnd < c.here()) return false;
    c = Cursor(dataEnd, e.end);
  } else if (*a != '\0') {
    return false;  // "eh" and other pre-'z' augmentations: no way to skip their data
  }
  if (!c.ok()) return false;
  cie->instructions = c.here();
  cie->end = e.end;
  return true;
}

struct RegisterRule {
  enum Kind : uint8_t { Same, Undefined, Offset, Other };
  Kind kind = Same;
  int64_t offset = 0;
};

struct Row {
  uint64_t cfaRegister = kRsp;
  int64_t cfaOffset = 8;
  bool cfaExpression = false;
  RegisterRule rbp;
  RegisterRule ra;
  RegisterRule rsp;
};

template <class R>
auto* ruleOf(R& row, uint64_t reg, uint64_t returnRegister) {
  decltype(&row.ra) none = nullptr;  // a register this unwinder does not track
  if (reg == returnRegister) return &row.ra;
  if (reg == kRbp) return &row.rbp;
  if (reg == kRsp) return &row.rsp;
  return none;
}

// Runs call-frame instructions from c, starting at location loc, until the row that
// covers pc (pc == UINT64_MAX: all of them, for a CIE's initial instructions).
bool run(Cursor c, const Cie& cie, const Row& initial, Row& row, uint64_t loc, uint64_t pc) {
  Row stack[kStateStack];
  unsigned depth = 0;
  auto advance = [&](uint64_t delta) {
    loc += delta * cie.codeAlign;
    return loc <= pc;  // false: pc lies in the row before this advance
  };
  auto set = [&](uint64_t reg, RegisterRule rule) {
    if (RegisterRule* r = ruleOf(row, reg, cie.returnRegister)) *r = rule;
  };
  auto restore = [&](uint64_t reg) {
    if (RegisterRule* r = ruleOf(row, reg, cie.returnRegister))
      *r = *ruleOf(initial, reg, cie.returnRegister);
  };
  while (!c.atEnd() && c.ok()) {
    const uint8_t op = c.u8();
    const uint8_t low = op & 0x3f;
    switch (op >> 6) {
      case 1:
        if (!advance(low)) return true;
        continue;
      case 2:
        set(low, {RegisterRule::Offset, static_cast<int64_t>(c.uleb()) * cie.dataAlign});
        continue;
      case 3: restore(low); continue;
      default: break;
    }
    switch (op) {
      case 0x00: break;  // nop
      case 0x01: {       // set_loc
        const uint64_t to = c.encoded(cie.fdeEncoding, 0);
        if (to > pc) return true;
        loc = to;
        break;
      }
      case 0x02:
        if (!advance(c.u8())) return true;
        break;
      case 0x03:
        if (!advance(c.fixed<uint16_t>())) return true;
        break;
      case 0x04:
        if (!advance(c.fixed<uint32_t>())) return true;
        break;
      case 0x05: {  // offset_extended
        const uint64_t reg = c.uleb();
        set(reg, {RegisterRule::Offset, static_cast<int64_t>(c.uleb()) * cie.dataAlign});
        break;
      }
      case 0x06: restore(c.uleb()); break;
      case 0x07: set(c.uleb(), {RegisterRule::Undefined, 0}); break;
      case 0x08: set(c.uleb(), {RegisterRule::Same, 0}); break;
      case 0x09: {  // register: saved in another register
        const uint64_t reg = c.uleb();
        c.uleb();
        set(reg, {RegisterRule::Other, 0});
        break;
      }
      case 0x0a:  // remember_state
        if (depth == kStateStack) return false;
        stack[depth++] = row;
        break;
      case 0x0b:  // restore_state: the CFA comes back too (DWARF 5, 6.4.2.4)
        if (depth == 0) return false;
        row = stack[--depth];
        break;
      case 0x0c:  // def_cfa
        row.cfaRegister = c.uleb();
        row.cfaOffset = static_cast<int64_t>(c.uleb());
        row.cfaExpression = false;
        break;
      case 0x0d: row.cfaRegister = c.uleb(); break;
      case 0x0e: row.cfaOffset = static_cast<int64_t>(c.uleb()); break;
      case 0x0f:  // def_cfa_expression
        c.skip(c.uleb());
        row.cfaExpression = true;
        break;
      case 0x10:    // expression
      case 0x16: {  // val_expression
        const uint64_t reg = c.uleb();
        c.skip(c.uleb());
        set(reg, {RegisterRule::Other, 0});
        break;
      }
      case 0x11: {  // offset_extended_sf
        const uint64_t reg = c.uleb();
        set(reg, {RegisterRule::Offset, c.sleb() * cie.dataAlign});
        break;
      }
      case 0x12:  // def_cfa_sf
        row.cfaRegister = c.uleb();
        row.cfaOffset = c.sleb() * cie.dataAlign;
        row.cfaExpression = false;
        break;
      case 0x13: row.cfaOffset = c.sleb() * cie.dataAlign; break;
      case 0x14:    // val_offset
      case 0x15: {  // val_offset_sf
        const uint64_t reg = c.uleb();
        if (op == 0x14) {
          c.uleb();
        } else {
          c.sleb();
        }
        set(reg, {RegisterRule::Other, 0});
        break;
      }
      case 0x2e: c.uleb(); break;  // GNU_args_size: nothing to do for a backtrace
      case 0x2f: {                 // GNU_negative_offset_extended
        const uint64_t reg = c.uleb();
        set(reg, {RegisterRule::Offset, -static_cast<int64_t>(c.uleb()) * cie.dataAlign});
        break;
      }
      default: return false;  // an opcode this reader does not know
    }
  }
  return c.ok();
}

FrameRule ruleOfRow(const Row& row) {
  if (row.ra.kind == RegisterRule::Undefined) return FrameRule::outermost();
  if (row.cfaExpression || (row.cfaRegister != kRsp && row.cfaRegister != kRbp))
    return FrameRule::unsupported();
  if (row.ra.kind != RegisterRule::Offset || row.ra.offset != -8) return FrameRule::unsupported();
  if (row.rsp.kind != RegisterRule::Same) return FrameRule::unsupported();
  if (row.cfaOffset < INT32_MIN || row.cfaOffset > INT32_MAX) return FrameRule::unsupported();
  bool rbpSaved = false;
  int16_t rbpOffset = 0;
  switch (row.rbp.kind) {
    case RegisterRule::Same: break;
    case RegisterRule::Offset:
      if (row.rbp.offset < INT16_MIN || row.rbp.offset > INT16_MAX) return FrameRule::unsupported();
      rbpSaved = true;
      rbpOffset = static_cast<int16_t>(row.rbp.offset);
      break;
    default: return FrameRule::unsupported();
  }
  return FrameRule::step(row.cfaRegister == kRbp, static_cast<int32_t>(row.cfaOffset), rbpSaved,
                         rbpOffset);
}

// The FDE's address range, read with its CIE's encoding; false when this is not an FDE.
struct Fde {
  Cie cie;
  uint64_t begin = 0;
  uint64_t range = 0;
  const uint8_t* instructions = nullptr;
  const uint8_t* end = nullptr;
};

bool readFde(const uint8_t* at, Fde* fde) {
  Entry e;
  if (!readEntry(at, &e)) return false;
  Cursor c(e.body, e.end);
  const uint32_t ciePointer = c.fixed<uint32_t>();
  if (ciePointer == 0 || !c.ok()) return false;  // a CIE
  if (!readCie(e.body - ciePointer, &fde->cie)) return false;
  fde->begin = c.encoded(fde->cie.fdeEncoding, 0);
  fde->range = c.encoded(fde->cie.fdeEncoding & 0x0f, 0);
  if (fde->cie.hasAugmentationData) c.skip(c.uleb());
  if (!c.ok()) return false;
  fde->instructions = c.here();
  fde->end = e.end;
  return true;
}

FrameRule ruleOfFde(const Fde& fde, uint64_t pc) {
  if (fde.cie.signalFrame) return FrameRule::unsupported();  // libunwind knows sigreturn
  Row initial;
  if (!run(Cursor(fde.cie.instructions, fde.cie.end), fde.cie, initial, initial, 0, UINT64_MAX))
    return FrameRule::unsupported();
  Row row = initial;
  if (!run(Cursor(fde.instructions, fde.end), fde.cie, initial, row, fde.begin, pc))
    return FrameRule::unsupported();
  return ruleOfRow(row);
}

// No search table: walk .eh_frame from its start (slow, and rare: linkers emit the table).
FrameRule linearSearch(const uint8_t* ehFrame, uint64_t pc) {
  const uint8_t* at = ehFrame;
  for (unsigned guard = 0; guard < (1u << 22); ++guard) {
    Entry e;
    if (!readEntry(at, &e)) break;
    Fde fde;
    if (readFde(at, &fde) && pc >= fde.begin && pc - fde.begin < fde.range)
      return ruleOfFde(fde, pc);
    at = e.end;
  }
  return FrameRule::unsupported();
}

struct PhdrSearch {
  uint64_t pc;
  const uint8_t* hdr;
};

int findEhFrameHdr(dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<PhdrSearch*>(data);
  const ElfW(Phdr)* hdr = nullptr;
  bool inside = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uint64_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD && search->pc >= start && search->pc - start < ph.p_memsz)
      inside = true;
    if (ph.p_type == PT_GNU_EH_FRAME) hdr = &ph;
  }
  if (!inside) return 0;
  if (hdr != nullptr)
    search->hdr = reinterpret_cast<const uint8_t*>(info->dlpi_addr + hdr->p_vaddr);
  return 1;
}

const uint8_t* ehFrameHeaderOf(uint64_t pc) {
  if (&_dl_find_object != nullptr) {
    dl_find_object found{};
    if (_dl_find_object(reinterpret_cast<void*>(pc), &found) != 0) return nullptr;
    return static_cast<const uint8_t*>(found.dlfo_eh_frame);
  }
  PhdrSearch search{pc, nullptr};
  dl_iterate_phdr(findEhFrameHdr, &search);
  return search.hdr;
}

}  // namespace

FrameRule ruleFromFde(const uint8_t* fdeAt, uint64_t pc) {
  Fde fde;
  if (!readFde(fdeAt, &fde) || pc < fde.begin || pc - fde.begin >= fde.range)
    return FrameRule::unsupported();
  return ruleOfFde(fde, pc);
}

FrameRule ruleFromHeader(const uint8_t* hdr, uint64_t pc) {
  if (hdr == nullptr || hdr[0] != 1) return FrameRule::unsupported();
  const auto base = reinterpret_cast<uint64_t>(hdr);
  const uint8_t frameEncoding = hdr[1];
  const uint8_t countEncoding = hdr[2];
  const uint8_t tableEncoding = hdr[3];
  // The header is small and fixed; its table follows. 1 << 30 only bounds the cursor.
  Cursor c(hdr + 4, hdr + (1u << 30));
  const auto* ehFrame = reinterpret_cast<const uint8_t*>(c.encoded(frameEncoding, base));
  if (!c.ok() || ehFrame == nullptr) return FrameRule::unsupported();
  if (countEncoding == kOmit || tableEncoding != kDatarelSdata4) return linearSearch(ehFrame, pc);
  const uint64_t count = c.encoded(countEncoding, base);
  if (!c.ok() || count == 0) return linearSearch(ehFrame, pc);
  // Sorted (initial location, FDE) pairs, both relative to the header.
  const uint8_t* table = c.here();
  auto locationAt = [&](uint64_t i) {
    int32_t v;
    std::memcpy(&v, table + i * 8, 4);
    return base + static_cast<uint64_t>(int64_t{v});
  };
  if (pc < locationAt(0)) return FrameRule::unsupported();
  uint64_t lo = 0;
  uint64_t hi = count;  // the answer is the last entry whose location <= pc
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (locationAt(mid) <= pc) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  int32_t fdeOffset;
  std::memcpy(&fdeOffset, table + lo * 8 + 4, 4);
  return ruleFromFde(
      reinterpret_cast<const uint8_t*>(base + static_cast<uint64_t>(int64_t{fdeOffset})), pc);
}

FrameRule ruleAt(uint64_t pc) { return ruleFromHeader(ehFrameHeaderOf(pc), pc); }

}  // namespace slowburn::preload::cfi
