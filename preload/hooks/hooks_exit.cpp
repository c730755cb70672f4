// The exit hooks: mark where a clean exit's teardown begins, so the dump says which live
// bytes belonged to the running program and which the static destructors and atexit
// handlers then freed (a global cache freed by its vector's destructor is still a leak).

#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/lifecycle.hpp"
#include "record/recorder.hpp"

namespace slowburn::preload::hooks {
namespace {

int (*s_main)(int, char**, char**) = nullptr;

void markTeardown() {
  if (!shouldRecord()) return;
  ReentryGuard guard;
  recordTeardown();
}

int mainThenTeardown(int argc, char** argv, char** envp) {
  const int status = s_main(argc, argv, envp);
  markTeardown();  // glibc calls exit(status) next, without going through the PLT
  return status;
}

}  // namespace

int __libc_start_main(int (*main)(int, char**, char**), int argc, char** argv, void (*init)(),
                      void (*fini)(), void (*rtldFini)(), void* stackEnd) {
  const Originals* r = originals();
  s_main = main;
  return r->__libc_start_main(&mainThenTeardown, argc, argv, init, fini, rtldFini, stackEnd);
}

void exit(int status) noexcept {
  markTeardown();
  originals()->exit(status);
  __builtin_unreachable();
}

}  // namespace slowburn::preload::hooks

SLOWBURN_EXIT_HOOKS(SLOWBURN_EXPORT_HOOK)
