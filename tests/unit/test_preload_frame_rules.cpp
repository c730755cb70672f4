// Frame rules read from call-frame information built byte by byte (a CIE and an FDE as
// GCC emits them for a function that sets up rbp), and the cache that shares them.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "record/cfi_reader.hpp"
#include "record/frame_rule.hpp"
#include "record/frame_rule_cache.hpp"

namespace slowburn::preload {
namespace {

constexpr uint8_t kPcrelSdata4 = 0x1b;

// One CIE followed by one FDE, laid out in a buffer that stays put (pc-relative pointers),
// describing code() .. code() + codeLength: a range just past the buffer, so the FDE's
// 32-bit pc-relative start reaches it.
class CfiImage {
 public:
  // augmentation: "zR" or "zRS" (a signal frame); instructions: the FDE's program.
  CfiImage(const char* augmentation, std::initializer_list<uint8_t> cieProgram, uint32_t codeLength,
           std::initializer_list<uint8_t> fdeProgram) {
    m_bytes.reserve(256);  // never reallocated: offsets below are addresses
    const uint64_t codeStart = code();
    // CIE
    const size_t cieStart = m_bytes.size();
    put32(0);  // length, patched
    put32(0);  // CIE id
    m_bytes.push_back(1);
    for (const char* a = augmentation; *a; ++a) m_bytes.push_back(static_cast<uint8_t>(*a));
    m_bytes.push_back(0);
    m_bytes.push_back(1);     // code alignment
    m_bytes.push_back(0x78);  // data alignment -8
    m_bytes.push_back(16);    // return address column
    m_bytes.push_back(1);     // augmentation data length
    m_bytes.push_back(kPcrelSdata4);
    m_bytes.insert(m_bytes.end(), cieProgram);
    while ((m_bytes.size() - cieStart) % 8 != 4) m_bytes.push_back(0);  // DW_CFA_nop
    patch32(cieStart, static_cast<uint32_t>(m_bytes.size() - cieStart - 4));
    // FDE
    m_fde = m_bytes.size();
    put32(0);
    put32(static_cast<uint32_t>(m_bytes.size() - cieStart));  // back to the CIE
    const size_t beginField = m_bytes.size();
    put32(0);  // pc_begin, patched below once the buffer's address is final
    put32(codeLength);
    m_bytes.push_back(0);  // augmentation data length
    m_bytes.insert(m_bytes.end(), fdeProgram);
    while ((m_bytes.size() - m_fde) % 8 != 4) m_bytes.push_back(0);
    patch32(m_fde, static_cast<uint32_t>(m_bytes.size() - m_fde - 4));
    put32(0);  // terminator
    const auto field = reinterpret_cast<uint64_t>(m_bytes.data() + beginField);
    patch32(beginField, static_cast<uint32_t>(codeStart - field));
  }

  FrameRule ruleAt(uint64_t pc) const { return cfi::ruleFromFde(m_bytes.data() + m_fde, pc); }
  uint64_t code() const { return reinterpret_cast<uint64_t>(m_bytes.data()) + 4096; }

 private:
  void put32(uint32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    m_bytes.insert(m_bytes.end(), b, b + 4);
  }
  void patch32(size_t at, uint32_t v) { std::memcpy(m_bytes.data() + at, &v, 4); }

  std::vector<uint8_t> m_bytes;
  size_t m_fde = 0;
};

// def_cfa rsp+8; the return address at cfa-8: every x86-64 CIE starts so.
const std::initializer_list<uint8_t> kStandardCie = {0x0c, 0x07, 0x08, 0x90, 0x01};

TEST(CfiReaderTest, FollowsAPrologueThatSetsUpRbpAndAnEpilogueThatRestoresIt) {
  // Given: push rbp (1 byte); mov rbp, rsp (3 bytes); a body; then an epilogue at +20
  // whose row is remembered and restored for code after it.
  const CfiImage image("zR", kStandardCie, 40,
                       {0x41, 0x0e, 0x10, 0x86, 0x02,        // +1: cfa rsp+16, rbp at cfa-16
                        0x43, 0x0d, 0x06,                    // +4: cfa rbp+16
                        0x50, 0x0a, 0x0c, 0x07, 0x08, 0xc6,  // +20: remember; rsp+8; restore rbp
                        0x41, 0x0b});                        // +21: restore_state
  const uint64_t code = image.code();
  // Then
  EXPECT_EQ(image.ruleAt(code), FrameRule::step(false, 8, false, 0));
  EXPECT_EQ(image.ruleAt(code + 1), FrameRule::step(false, 16, true, -16));
  EXPECT_EQ(image.ruleAt(code + 4), FrameRule::step(true, 16, true, -16));
  EXPECT_EQ(image.ruleAt(code + 19), FrameRule::step(true, 16, true, -16));
  EXPECT_EQ(image.ruleAt(code + 20), FrameRule::step(false, 8, false, 0));
  EXPECT_EQ(image.ruleAt(code + 21), FrameRule::step(true, 16, true, -16));
  EXPECT_EQ(image.ruleAt(code + 39), FrameRule::step(true, 16, true, -16));
  EXPECT_EQ(image.ruleAt(code + 40).kind(), FrameRule::Kind::Unsupported);  // past the FDE
}

TEST(CfiReaderTest, AnUndefinedReturnAddressEndsTheStack) {
  const CfiImage image("zR", kStandardCie, 16, {0x07, 0x10});  // undefined r16
  const uint64_t code = image.code();
  EXPECT_EQ(image.ruleAt(code + 3), FrameRule::outermost());
}

TEST(CfiReaderTest, ShapesItCannotFollowAreUnsupported) {
  // A signal frame, a CFA expression (stack realignment), rbp kept in another register.
  const CfiImage signal("zRS", kStandardCie, 16, {});
  const CfiImage expression("zR", kStandardCie, 16, {0x0f, 0x02, 0x76, 0x78});
  const CfiImage inRegister("zR", kStandardCie, 16, {0x09, 0x06, 0x03});
  const CfiImage cfaInR10("zR", kStandardCie, 16, {0x0c, 0x0a, 0x00});
  const CfiImage plain("zR", kStandardCie, 16, {});
  EXPECT_EQ(signal.ruleAt(signal.code()).kind(), FrameRule::Kind::Unsupported);
  EXPECT_EQ(expression.ruleAt(expression.code()).kind(), FrameRule::Kind::Unsupported);
  EXPECT_EQ(inRegister.ruleAt(inRegister.code()).kind(), FrameRule::Kind::Unsupported);
  EXPECT_EQ(cfaInR10.ruleAt(cfaInR10.code()).kind(), FrameRule::Kind::Unsupported);
  EXPECT_TRUE(plain.ruleAt(plain.code()).isStep());  // the same image without them
}

TEST(CfiReaderTest, OtherRegistersRulesDoNotMatter) {
  // push rbx with its save recorded, and an expression for r12: rsp, rbp and RA untouched.
  const CfiImage image("zR", kStandardCie, 16,
                       {0x41, 0x0e, 0x10, 0x83, 0x02, 0x10, 0x0c, 0x02, 0x77, 0x08});
  EXPECT_EQ(image.ruleAt(image.code() + 2), FrameRule::step(false, 16, false, 0));
}

TEST(CfiReaderTest, ReadsTheRulesOfThisProgramsOwnCode) {
  // A return address inside this very function: GCC's .eh_frame for x86-64 code.
  const auto pc = reinterpret_cast<uint64_t>(__builtin_return_address(0));
  const FrameRule rule = cfi::ruleAt(pc - 1);
  EXPECT_TRUE(rule.isStep()) << std::hex << rule.word();
  EXPECT_GE(rule.cfaOffset(), 8);
}

TEST(CfiReaderTest, AnAddressOutsideEveryObjectHasNoRule) {
  EXPECT_EQ(cfi::ruleAt(0x10).kind(), FrameRule::Kind::Unsupported);
}

TEST(FrameRuleTest, PacksAndUnpacksEveryField) {
  const FrameRule r = FrameRule::step(true, -123456, true, -32760);
  EXPECT_TRUE(r.isStep());
  EXPECT_TRUE(r.cfaFromRbp());
  EXPECT_TRUE(r.rbpSaved());
  EXPECT_EQ(r.cfaOffset(), -123456);
  EXPECT_EQ(r.rbpOffset(), -32760);
  EXPECT_NE(FrameRule::outermost().word(), 0u);
  EXPECT_NE(FrameRule::unsupported().word(), 0u);
}

// A rule source standing in for the CFI: counts its lookups, answers by address.
uint64_t s_lookups = 0;
int32_t s_offsetBias = 0;
FrameRule fakeRule(uint64_t pc) {
  ++s_lookups;
  return FrameRule::step(false, static_cast<int32_t>(pc % 4096) + 8 + s_offsetBias, false, 0);
}

TEST(FrameRuleCacheTest, LearnsEachAddressOnceAndKeepsItAcrossGrowth) {
  s_lookups = 0;
  s_offsetBias = 0;
  FrameRuleCache cache(&fakeRule);
  constexpr uint64_t kAddresses = 20000;
  for (int round = 0; round < 3; ++round) {
    for (uint64_t i = 1; i <= kAddresses; ++i) {
      const uint64_t ra = 0x400000 + i * 24;
      ASSERT_EQ(cache.ruleFor(ra), fakeRule(ra - 1)) << ra;
      --s_lookups;  // the check's own call
    }
  }
  EXPECT_EQ(s_lookups, kAddresses);
  // Generations double from 1 K slots and are each filled to half at most, and an
  // address found in an older generation is copied into the newest: 2 x 16 B x 2 x 2.
  EXPECT_LE(cache.mappedBytes(), kAddresses * 16 * 8);
  EXPECT_GE(cache.size(), kAddresses);
}

TEST(FrameRuleCacheTest, ForgetsTheRulesOfAClosedLibrarysAddresses) {
  s_lookups = 0;
  s_offsetBias = 0;
  FrameRuleCache cache(&fakeRule);
  const uint64_t inLibrary = 0x7f0000001230;
  const uint64_t elsewhere = 0x7f0000901230;
  const FrameRule before = cache.ruleFor(inLibrary);
  cache.ruleFor(elsewhere);
  // When another library is mapped where the closed one was, its rules are new ones.
  s_offsetBias = 64;
  cache.forgetRange(0x7f0000000000, 0x7f0000100000);
  EXPECT_NE(cache.ruleFor(inLibrary), before);
  EXPECT_EQ(cache.ruleFor(inLibrary), fakeRule(inLibrary - 1));
  EXPECT_EQ(cache.ruleFor(elsewhere).cfaOffset(), static_cast<int64_t>((elsewhere - 1) % 4096 + 8));
}

}  // namespace
}  // namespace slowburn::preload
