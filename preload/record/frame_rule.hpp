#pragma once
// How to step from one x86-64 frame to its caller, in the few shapes compilers emit for
// ordinary code: the canonical frame address (CFA) is rsp or rbp plus a constant, the
// return address sits just below the CFA, and rbp is either untouched or saved at a
// constant offset from the CFA. Anything else (signal frames, CFA expressions such as
// stack realignment's, registers saved in registers) is Unsupported and left to
// libunwind.
//
// A rule is one word, so a cache slot publishes it atomically and the walk decodes it
// with a mask and a shift: kind in bits 0-1, "CFA from rbp" bit 2, "rbp saved" bit 3,
// the rbp save offset in bits 16-31, the CFA offset in bits 32-63 (both signed). Bits 4-15
// are never set: the stack memo keeps its own flags there (stack_memo.hpp).

#include <cstdint>

namespace slowburn::preload {

class FrameRule {
 public:
  enum class Kind : uint8_t {
    Unknown = 0,      // not looked up yet: a zero word is never a real rule
    Step = 1,         // the shape above
    Outermost = 2,    // the return address is undefined: the stack ends here
    Unsupported = 3,  // no unwind info, or a shape this unwinder does not follow
  };

  constexpr FrameRule() = default;
  constexpr explicit FrameRule(uint64_t word) : m_word(word) {}

  static constexpr FrameRule step(bool cfaFromRbp, int32_t cfaOffset, bool rbpSaved,
                                  int16_t rbpOffset) {
    return FrameRule(uint64_t{1} | (cfaFromRbp ? kCfaFromRbpBit : 0) |
                     (rbpSaved ? kRbpSavedBit : 0) |
                     uint64_t{static_cast<uint16_t>(rbpOffset)} << 16 |
                     uint64_t{static_cast<uint32_t>(cfaOffset)} << 32);
  }
  static constexpr FrameRule outermost() { return FrameRule(2); }
  static constexpr FrameRule unsupported() { return FrameRule(3); }

  static constexpr uint64_t kCfaFromRbpBit = 4;
  static constexpr uint64_t kRbpSavedBit = 8;

  constexpr uint64_t word() const { return m_word; }
  constexpr Kind kind() const { return static_cast<Kind>(m_word & 3); }
  constexpr bool isStep() const { return (m_word & 3) == 1; }
  constexpr bool cfaFromRbp() const { return (m_word & kCfaFromRbpBit) != 0; }
  constexpr bool rbpSaved() const { return (m_word & kRbpSavedBit) != 0; }
  constexpr int64_t cfaOffset() const { return static_cast<int64_t>(m_word) >> 32; }
  constexpr int64_t rbpOffset() const {
    return static_cast<int16_t>(static_cast<uint16_t>(m_word >> 16));
  }

  constexpr bool operator==(const FrameRule&) const = default;

 private:
  uint64_t m_word = 0;
};

}  // namespace slowburn::preload
