#pragma once
// The frame a walk of the caller's stack starts from, as libunwind finds it: the reference
// the unwinder's own walks are compared against in the tests.

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "record/unwinder.hpp"

namespace slowburn::preload {

// The caller of the function this is inlined into (its return address, and the stack
// pointer and rbp it returns with); false when libunwind cannot step to it. cursor is left
// at that frame, for a reference walk on from there.
[[gnu::always_inline]] inline bool callerFrame(unw_context_t& context, unw_cursor_t& cursor,
                                               Unwinder::Frame& caller) {
  unw_getcontext(&context);
  unw_init_local(&cursor, &context);
  if (unw_step(&cursor) <= 0) return false;
  unw_word_t ip = 0, sp = 0, bp = 0;
  unw_get_reg(&cursor, UNW_REG_IP, &ip);
  unw_get_reg(&cursor, UNW_REG_SP, &sp);
  unw_get_reg(&cursor, UNW_X86_64_RBP, &bp);
  caller = Unwinder::Frame{ip, sp, bp};
  return true;
}

}  // namespace slowburn::preload
