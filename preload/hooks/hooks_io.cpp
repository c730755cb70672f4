// The read/write family. A call is counted after it returns, against its caller (see
// record/syscall_counting.cpp); the profiler's own I/O uses raw syscalls and never gets here.

#include <sys/syscall.h>

#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/lifecycle.hpp"
#include "record/recorder.hpp"
#include "record/runtime.hpp"

namespace slowburn::preload::hooks {
namespace {

using format::SyscallOp;

[[gnu::always_inline]] inline ssize_t counted(SyscallOp op, ssize_t result) {
  if (shouldRecord() && runtime().options.counts(op)) [[likely]] {
    ReentryGuard guard;
    countSyscall(op, result, __builtin_frame_address(0));  // the hook's own frame
  }
  return result;
}

// Only the thread resolving the originals can see them missing, and dlsym does no I/O;
// the raw syscall keeps even that impossible case correct.
inline const Originals* real() { return originals(); }

}  // namespace

// Each body: call the original (or, in the instant before it is known, the system call
// itself), then count the call against its caller.
#define SLOWBURN_DEFINE_IO_HOOK(name, op, params, args, sysno, rawArgs)           \
  ssize_t name params {                                                           \
    const Originals* r = real();                                                  \
    const ssize_t result =                                                        \
        r != nullptr ? r->name args : syscall(sysno SLOWBURN_COMMA_ARGS rawArgs); \
    return counted(SyscallOp::op, result);                                        \
  }
#define SLOWBURN_COMMA_ARGS(...) , __VA_ARGS__
SLOWBURN_IO_HOOKS(SLOWBURN_DEFINE_IO_HOOK)
#undef SLOWBURN_DEFINE_IO_HOOK
#undef SLOWBURN_COMMA_ARGS

}  // namespace slowburn::preload::hooks

SLOWBURN_IO_HOOKS(SLOWBURN_EXPORT_HOOK)
