#pragma once
// How slowburn attach reaches the hooks. A running program was linked long before this
// library was loaded: its calls to malloc, read, ... go through each module's GOT (the
// R_X86_64_JUMP_SLOT entries its PLT jumps through, and the R_X86_64_GLOB_DAT entries of
// code built with -fno-plt) to the definitions in the global scope. Redirecting rewrites
// those entries to point at the hooks, one aligned 8-byte atomic store each, so a thread
// calling at that moment calls either the original or the hook, never half of each.
// Restoring puts back every value it changed.
//
// An entry is redirected only while it holds the global definition (what the hook calls
// on) or a lazy-binding stub inside its own module: a module bound to a definition of its
// own (RTLD_DEEPBIND, another namespace) keeps it. Entries in RELRO pages are written
// between an mprotect that makes that page writable and one that makes it read-only
// again. Both passes run inside dl_iterate_phdr callbacks: the loader's list lock keeps a
// module from being unmapped while its entries are written.

#include <cstdint>

namespace slowburn::preload {

struct RedirectCounts {
  uint32_t entries = 0;        // GOT entries now pointing at a hook
  uint32_t modules = 0;        // modules redirected by this pass
  uint32_t unprotectable = 0;  // entries left alone because their page could not be made writable
};

// Where dlsym(RTLD_DEFAULT) named a program's canonical PLT entry (a program that takes a
// function's address without -fPIE owns its address: the symbol is "defined" at its PLT
// stub, which jumps through its own GOT entry), the originals get the function that entry
// is bound to instead; calling the stub from a hook would come straight back to the hook.
// Call once the originals are resolved and before any entry is redirected.
void settleCanonicalOriginals();

// Redirects every loaded module not redirected yet, except this library, the loader and
// the vDSO; the read/write family only for the ops in syscallMask (Options::syscallMask).
RedirectCounts redirectModules(uint32_t syscallMask);
// Redirects modules loaded since (the dlopen hook): the mask of the last redirectModules.
void redirectNewModules();
// Whether redirection is on (between redirectModules and restoreRedirects).
bool redirecting();
// Puts back every entry still pointing at a hook and forgets them all; returns how many.
uint32_t restoreRedirects();
// A fork child of an attached program: the same, in the one thread the child has, even if
// a thread of the parent held the lock at the fork.
void restoreRedirectsInChild();

}  // namespace slowburn::preload
