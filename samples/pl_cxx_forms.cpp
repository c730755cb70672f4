// Every form of operator new and delete, each from its own function with its own size:
// keptNew... leave their block live, freedBy... allocate and free through the delete form
// they are named after. Built plain (libstdc++'s operators) and linked with jemalloc,
// tcmalloc and mimalloc, which bring operators of their own; with -DWITH_TCMALLOC it also
// calls tcmalloc's C++ entry points (tc_new...). Then asks for blocks no allocator can
// give. Prints "ok" and exits 0 when every call behaved.
// tests/e2e/test_preload_allocators.py knows the sizes.
#include <cstdio>
#include <new>
#include <vector>

#ifdef WITH_TCMALLOC
#include <gperftools/tcmalloc.h>
#endif

namespace {

int g_failures = 0;
std::vector<void*> g_kept;
constexpr std::align_val_t kAlign{256};

void* keep(void* p) {
  if (p == nullptr) ++g_failures;
  asm volatile("" : : "r"(p) : "memory");
  g_kept.push_back(p);
  return p;
}

void* opaque(void* p) {
  asm volatile("" : "+r"(p));
  return p;
}

[[gnu::noinline]] void keptNew() { keep(::operator new(10011)); }
[[gnu::noinline]] void keptNewArray() { keep(::operator new[](10013)); }
[[gnu::noinline]] void keptNewNothrow() { keep(::operator new(10015, std::nothrow)); }
[[gnu::noinline]] void keptNewArrayNothrow() { keep(::operator new[](10017, std::nothrow)); }
[[gnu::noinline]] void keptNewAligned() { keep(::operator new(10019, kAlign)); }
[[gnu::noinline]] void keptNewArrayAligned() { keep(::operator new[](10021, kAlign)); }
[[gnu::noinline]] void keptNewAlignedNothrow() {
  keep(::operator new(10023, kAlign, std::nothrow));
}
[[gnu::noinline]] void keptNewArrayAlignedNothrow() {
  keep(::operator new[](10025, kAlign, std::nothrow));
}

[[gnu::noinline]] void freedByDelete() { ::operator delete(opaque(::operator new(20001))); }
[[gnu::noinline]] void freedByDeleteArray() {
  ::operator delete[](opaque(::operator new[](20003)));
}
[[gnu::noinline]] void freedBySizedDelete() {
  ::operator delete(opaque(::operator new(20005)), 20005);
}
[[gnu::noinline]] void freedBySizedDeleteArray() {
  ::operator delete[](opaque(::operator new[](20007)), 20007);
}
[[gnu::noinline]] void freedByNothrowDelete() {
  ::operator delete(opaque(::operator new(20009)), std::nothrow);
}
[[gnu::noinline]] void freedByNothrowDeleteArray() {
  ::operator delete[](opaque(::operator new[](20011)), std::nothrow);
}
[[gnu::noinline]] void freedByAlignedDelete() {
  ::operator delete(opaque(::operator new(20013, kAlign)), kAlign);
}
[[gnu::noinline]] void freedByAlignedDeleteArray() {
  ::operator delete[](opaque(::operator new[](20015, kAlign)), kAlign);
}
[[gnu::noinline]] void freedBySizedAlignedDelete() {
  ::operator delete(opaque(::operator new(20017, kAlign)), 20017, kAlign);
}
[[gnu::noinline]] void freedBySizedAlignedDeleteArray() {
  ::operator delete[](opaque(::operator new[](20019, kAlign)), 20019, kAlign);
}
[[gnu::noinline]] void freedByAlignedNothrowDelete() {
  ::operator delete(opaque(::operator new(20021, kAlign)), kAlign, std::nothrow);
}
[[gnu::noinline]] void freedByAlignedNothrowDeleteArray() {
  ::operator delete[](opaque(::operator new[](20023, kAlign)), kAlign, std::nothrow);
}

// A new-expression: the compiler's own call, sized delete at the end of its life.
struct Record {
  char bytes[10027];
};
[[gnu::noinline]] void keptNewExpression() { keep(new Record{}); }

#ifdef WITH_TCMALLOC
[[gnu::noinline]] void keptTcNew() { keep(tc_new(10029)); }
[[gnu::noinline]] void keptTcNewArray() { keep(tc_newarray(10031)); }
[[gnu::noinline]] void keptTcNewNothrow() { keep(tc_new_nothrow(10033, std::nothrow)); }
[[gnu::noinline]] void keptTcNewAligned() { keep(tc_new_aligned(10035, kAlign)); }
[[gnu::noinline]] void freedByTcDelete() { tc_delete(opaque(tc_new(20025))); }
[[gnu::noinline]] void freedByTcDeleteSized() { tc_delete_sized(opaque(tc_new(20027)), 20027); }
[[gnu::noinline]] void freedByTcDeleteArray() { tc_deletearray(opaque(tc_newarray(20029))); }
[[gnu::noinline]] void freedByTcDeleteAligned() {
  tc_delete_aligned(opaque(tc_new_aligned(20031, kAlign)), kAlign);
}
#endif

// A block no allocator can give: the throwing forms run the new-handler until it gives up
// (uninstalls itself), then throw std::bad_alloc to the caller; the nothrow forms return
// nullptr. Through the preload's hooks as without them.
int g_handlerCalls = 0;
constexpr int kHandlerTries = 2;

void giveUpAfterTries() {
  if (++g_handlerCalls == kHandlerTries) std::set_new_handler(nullptr);
}

size_t impossible() {
  volatile size_t huge = size_t{1} << 62;
  return huge;
}

template <class Allocate>
void expectBadAlloc(Allocate allocate) {
  g_handlerCalls = 0;
  std::set_new_handler(giveUpAfterTries);
  try {
    keep(allocate());
    ++g_failures;  // no exception
  } catch (const std::bad_alloc&) {
    if (g_handlerCalls != kHandlerTries) ++g_failures;
  }
  std::set_new_handler(nullptr);
}

void failedNews() {
#ifndef WITH_MIMALLOC  // mimalloc's throwing forms abort when the handler gives up
  expectBadAlloc([] { return ::operator new(impossible()); });
  expectBadAlloc([] { return ::operator new[](impossible()); });
  expectBadAlloc([] { return ::operator new(impossible(), kAlign); });
#endif
  if (::operator new(impossible(), std::nothrow) != nullptr) ++g_failures;
  if (::operator new[](impossible(), std::nothrow) != nullptr) ++g_failures;
}

}  // namespace

int main() {
  g_kept.reserve(64);
  keptNew();
  keptNewArray();
  keptNewNothrow();
  keptNewArrayNothrow();
  keptNewAligned();
  keptNewArrayAligned();
  keptNewAlignedNothrow();
  keptNewArrayAlignedNothrow();
  freedByDelete();
  freedByDeleteArray();
  freedBySizedDelete();
  freedBySizedDeleteArray();
  freedByNothrowDelete();
  freedByNothrowDeleteArray();
  freedByAlignedDelete();
  freedByAlignedDeleteArray();
  freedBySizedAlignedDelete();
  freedBySizedAlignedDeleteArray();
  freedByAlignedNothrowDelete();
  freedByAlignedNothrowDeleteArray();
  keptNewExpression();
  failedNews();
#ifdef WITH_TCMALLOC
  keptTcNew();
  keptTcNewArray();
  keptTcNewNothrow();
  keptTcNewAligned();
  freedByTcDelete();
  freedByTcDeleteSized();
  freedByTcDeleteArray();
  freedByTcDeleteAligned();
#endif
  std::printf("%s\n", g_failures == 0 ? "ok" : "misbehaved");
  return g_failures == 0 ? 0 : 1;
}
