#pragma once
// Allocation entry points beyond the malloc family, one line each: C++'s operator new and
// delete in every form, and the entry points of jemalloc, tcmalloc and mimalloc that
// programs call directly. An allocator that exports its own operator new (jemalloc,
// tcmalloc and mimalloc all do) never calls malloc for a C++ program: without these a
// program linked with one records nothing.
//
// Columns: the exported name (C++ operators by their mangled names), the return type, the
// parameters and the arguments to pass on, then how the call is recorded
// (hooks_allocators.cpp) and with which of the arguments:
//   Alloc(size)          a new block of size bytes, or NULL
//   Free(block)          block is freed
//   Realloc(old, size)   old becomes a block of size bytes; on failure old is untouched
//   ReallocOrFree(...)   the same, but a failure frees old (mi_reallocf)
//   AllocInto(out, size) int f(void** out, ...): 0 and a block of size bytes in *out
//   Duplicate(allocates) a string copy: strlen(result) + 1 bytes when allocates is true
//   ResizeInPlace(block, size, extra)  jemalloc's xallocx: block now holds min(result,
//                        size + extra) bytes when result >= size, else it is unchanged
//   New(nothrow)         a throwing form: the nothrow call given (recorded), and only when
//                        it fails the real throwing call, whose new-handler loop and
//                        exception pass through (nothing is held then)
//   MallocNew(size, nothrow), MallocNewNothrow(size)  operator new(size_t) and new[]: New
//                        and Alloc, but when libstdc++'s operator is next, malloc's hook
//                        (libstdc++'s operator new is malloc in a new-handler loop)
// Every Free of a C++ operator goes to free's hook when libstdc++'s delete is next (it is
// free).
// Types stand for their ABI: std::nothrow_t const& is a pointer, std::align_val_t a size_t.

#include <cstddef>

// clang-format off
#define SLOWBURN_CXX_HOOKS(X)                                                                    \
  /* operator new(size_t), new[](size_t), and their nothrow forms */                             \
  X(_Znwm, void*, (size_t size), (size), MallocNew,                                              \
    (size, [&] { return _ZnwmRKSt9nothrow_t(size, kNothrow); }))                                 \
  X(_Znam, void*, (size_t size), (size), MallocNew,                                              \
    (size, [&] { return _ZnamRKSt9nothrow_t(size, kNothrow); }))                                 \
  X(_ZnwmRKSt9nothrow_t, void*, (size_t size, const void* tag), (size, tag), MallocNewNothrow,   \
    (size))                                                                                      \
  X(_ZnamRKSt9nothrow_t, void*, (size_t size, const void* tag), (size, tag), MallocNewNothrow,   \
    (size))                                                                                      \
  /* operator new(size_t, align_val_t), new[], and their nothrow forms */                        \
  X(_ZnwmSt11align_val_t, void*, (size_t size, size_t al), (size, al), New,                      \
    ([&] { return _ZnwmSt11align_val_tRKSt9nothrow_t(size, al, kNothrow); }))                    \
  X(_ZnamSt11align_val_t, void*, (size_t size, size_t al), (size, al), New,                      \
    ([&] { return _ZnamSt11align_val_tRKSt9nothrow_t(size, al, kNothrow); }))                    \
  X(_ZnwmSt11align_val_tRKSt9nothrow_t, void*, (size_t size, size_t al, const void* tag),        \
    (size, al, tag), Alloc, (size))                                                              \
  X(_ZnamSt11align_val_tRKSt9nothrow_t, void*, (size_t size, size_t al, const void* tag),        \
    (size, al, tag), Alloc, (size))                                                              \
  /* operator delete and delete[]: plain, sized, nothrow, aligned, sized aligned, aligned     */ \
  /* nothrow                                                                                  */ \
  X(_ZdlPv, void, (void* p), (p), Free, (p))                                                     \
  X(_ZdaPv, void, (void* p), (p), Free, (p))                                                     \
  X(_ZdlPvm, void, (void* p, size_t size), (p, size), Free, (p))                                 \
  X(_ZdaPvm, void, (void* p, size_t size), (p, size), Free, (p))                                 \
  X(_ZdlPvRKSt9nothrow_t, void, (void* p, const void* tag), (p, tag), Free, (p))                 \
  X(_ZdaPvRKSt9nothrow_t, void, (void* p, const void* tag), (p, tag), Free, (p))                 \
  X(_ZdlPvSt11align_val_t, void, (void* p, size_t al), (p, al), Free, (p))                       \
  X(_ZdaPvSt11align_val_t, void, (void* p, size_t al), (p, al), Free, (p))                       \
  X(_ZdlPvmSt11align_val_t, void, (void* p, size_t size, size_t al), (p, size, al), Free, (p))   \
  X(_ZdaPvmSt11align_val_t, void, (void* p, size_t size, size_t al), (p, size, al), Free, (p))   \
  X(_ZdlPvSt11align_val_tRKSt9nothrow_t, void, (void* p, size_t al, const void* tag),            \
    (p, al, tag), Free, (p))                                                                     \
  X(_ZdaPvSt11align_val_tRKSt9nothrow_t, void, (void* p, size_t al, const void* tag),            \
    (p, al, tag), Free, (p))

// jemalloc's non-standard API (jemalloc(3)); sallocx and nallocx only ask.
#define SLOWBURN_JEMALLOC_HOOKS(X)                                                               \
  X(mallocx, void*, (size_t size, int flags), (size, flags), Alloc, (size))                      \
  X(rallocx, void*, (void* p, size_t size, int flags), (p, size, flags), Realloc, (p, size))     \
  X(xallocx, size_t, (void* p, size_t size, size_t extra, int flags), (p, size, extra, flags),   \
    ResizeInPlace, (p, size, extra))                                                             \
  X(dallocx, void, (void* p, int flags), (p, flags), Free, (p))                                  \
  X(sdallocx, void, (void* p, size_t size, int flags), (p, size, flags), Free, (p))

// gperftools' tcmalloc (gperftools/tcmalloc.h).
#define SLOWBURN_TCMALLOC_HOOKS(X)                                                               \
  X(tc_malloc, void*, (size_t size), (size), Alloc, (size))                                      \
  X(tc_malloc_skip_new_handler, void*, (size_t size), (size), Alloc, (size))                     \
  X(tc_calloc, void*, (size_t n, size_t size), (n, size), Alloc, (product(n, size)))             \
  X(tc_realloc, void*, (void* p, size_t size), (p, size), Realloc, (p, size))                    \
  X(tc_memalign, void*, (size_t al, size_t size), (al, size), Alloc, (size))                     \
  X(tc_posix_memalign, int, (void** out, size_t al, size_t size), (out, al, size), AllocInto,    \
    (out, size))                                                                                 \
  X(tc_valloc, void*, (size_t size), (size), Alloc, (size))                                      \
  X(tc_pvalloc, void*, (size_t size), (size), Alloc, (size))                                     \
  X(tc_free, void, (void* p), (p), Free, (p))                                                    \
  X(tc_free_sized, void, (void* p, size_t size), (p, size), Free, (p))                           \
  X(tc_cfree, void, (void* p), (p), Free, (p))                                                   \
  X(tc_new, void*, (size_t size), (size), New, ([&] { return tc_new_nothrow(size, kNothrow); })) \
  X(tc_newarray, void*, (size_t size), (size), New,                                              \
    ([&] { return tc_newarray_nothrow(size, kNothrow); }))                                       \
  X(tc_new_nothrow, void*, (size_t size, const void* tag), (size, tag), Alloc, (size))           \
  X(tc_newarray_nothrow, void*, (size_t size, const void* tag), (size, tag), Alloc, (size))      \
  X(tc_new_aligned, void*, (size_t size, size_t al), (size, al), New,                            \
    ([&] { return tc_new_aligned_nothrow(size, al, kNothrow); }))                                \
  X(tc_newarray_aligned, void*, (size_t size, size_t al), (size, al), New,                       \
    ([&] { return tc_newarray_aligned_nothrow(size, al, kNothrow); }))                           \
  X(tc_new_aligned_nothrow, void*, (size_t size, size_t al, const void* tag), (size, al, tag),   \
    Alloc, (size))                                                                               \
  X(tc_newarray_aligned_nothrow, void*, (size_t size, size_t al, const void* tag),               \
    (size, al, tag), Alloc, (size))                                                              \
  X(tc_delete, void, (void* p), (p), Free, (p))                                                  \
  X(tc_deletearray, void, (void* p), (p), Free, (p))                                             \
  X(tc_delete_sized, void, (void* p, size_t size), (p, size), Free, (p))                         \
  X(tc_deletearray_sized, void, (void* p, size_t size), (p, size), Free, (p))                    \
  X(tc_delete_nothrow, void, (void* p, const void* tag), (p, tag), Free, (p))                    \
  X(tc_deletearray_nothrow, void, (void* p, const void* tag), (p, tag), Free, (p))               \
  X(tc_delete_aligned, void, (void* p, size_t al), (p, al), Free, (p))                           \
  X(tc_deletearray_aligned, void, (void* p, size_t al), (p, al), Free, (p))                      \
  X(tc_delete_sized_aligned, void, (void* p, size_t size, size_t al), (p, size, al), Free, (p))  \
  X(tc_deletearray_sized_aligned, void, (void* p, size_t size, size_t al), (p, size, al), Free,  \
    (p))                                                                                         \
  X(tc_delete_aligned_nothrow, void, (void* p, size_t al, const void* tag), (p, al, tag), Free,  \
    (p))                                                                                         \
  X(tc_deletearray_aligned_nothrow, void, (void* p, size_t al, const void* tag), (p, al, tag),   \
    Free, (p))

// mimalloc's API (mimalloc.h) for the default heap. The mi_heap_* functions are left to
// the mapping view: mi_heap_destroy frees a heap's blocks all at once, without a call per
// block that could be recorded.
#define SLOWBURN_MIMALLOC_HOOKS(X)                                                               \
  X(mi_malloc, void*, (size_t size), (size), Alloc, (size))                                      \
  X(mi_malloc_small, void*, (size_t size), (size), Alloc, (size))                                \
  X(mi_zalloc, void*, (size_t size), (size), Alloc, (size))                                      \
  X(mi_zalloc_small, void*, (size_t size), (size), Alloc, (size))                                \
  X(mi_calloc, void*, (size_t n, size_t size), (n, size), Alloc, (product(n, size)))             \
  X(mi_mallocn, void*, (size_t n, size_t size), (n, size), Alloc, (product(n, size)))            \
  X(mi_malloc_aligned, void*, (size_t size, size_t al), (size, al), Alloc, (size))               \
  X(mi_malloc_aligned_at, void*, (size_t size, size_t al, size_t off), (size, al, off), Alloc,   \
    (size))                                                                                      \
  X(mi_zalloc_aligned, void*, (size_t size, size_t al), (size, al), Alloc, (size))               \
  X(mi_zalloc_aligned_at, void*, (size_t size, size_t al, size_t off), (size, al, off), Alloc,   \
    (size))                                                                                      \
  X(mi_calloc_aligned, void*, (size_t n, size_t size, size_t al), (n, size, al), Alloc,          \
    (product(n, size)))                                                                          \
  X(mi_calloc_aligned_at, void*, (size_t n, size_t size, size_t al, size_t off),                 \
    (n, size, al, off), Alloc, (product(n, size)))                                               \
  X(mi_memalign, void*, (size_t al, size_t size), (al, size), Alloc, (size))                     \
  X(mi_aligned_alloc, void*, (size_t al, size_t size), (al, size), Alloc, (size))                \
  X(mi_valloc, void*, (size_t size), (size), Alloc, (size))                                      \
  X(mi_pvalloc, void*, (size_t size), (size), Alloc, (size))                                     \
  X(mi_posix_memalign, int, (void** out, size_t al, size_t size), (out, al, size), AllocInto,    \
    (out, size))                                                                                 \
  X(mi_realloc, void*, (void* p, size_t size), (p, size), Realloc, (p, size))                    \
  X(mi_reallocn, void*, (void* p, size_t n, size_t size), (p, n, size), Realloc,                 \
    (p, product(n, size)))                                                                       \
  X(mi_reallocarray, void*, (void* p, size_t n, size_t size), (p, n, size), Realloc,             \
    (p, product(n, size)))                                                                       \
  X(mi_reallocf, void*, (void* p, size_t size), (p, size), ReallocOrFree, (p, size))             \
  X(mi_rezalloc, void*, (void* p, size_t size), (p, size), Realloc, (p, size))                   \
  X(mi_recalloc, void*, (void* p, size_t n, size_t size), (p, n, size), Realloc,                 \
    (p, product(n, size)))                                                                       \
  X(mi_realloc_aligned, void*, (void* p, size_t size, size_t al), (p, size, al), Realloc,        \
    (p, size))                                                                                   \
  X(mi_realloc_aligned_at, void*, (void* p, size_t size, size_t al, size_t off),                 \
    (p, size, al, off), Realloc, (p, size))                                                      \
  X(mi_rezalloc_aligned, void*, (void* p, size_t size, size_t al), (p, size, al), Realloc,       \
    (p, size))                                                                                   \
  X(mi_rezalloc_aligned_at, void*, (void* p, size_t size, size_t al, size_t off),                \
    (p, size, al, off), Realloc, (p, size))                                                      \
  X(mi_recalloc_aligned, void*, (void* p, size_t n, size_t size, size_t al), (p, n, size, al),   \
    Realloc, (p, product(n, size)))                                                              \
  X(mi_recalloc_aligned_at, void*, (void* p, size_t n, size_t size, size_t al, size_t off),      \
    (p, n, size, al, off), Realloc, (p, product(n, size)))                                       \
  X(mi_aligned_recalloc, void*, (void* p, size_t n, size_t size, size_t al), (p, n, size, al),   \
    Realloc, (p, product(n, size)))                                                              \
  X(mi_aligned_offset_recalloc, void*, (void* p, size_t n, size_t size, size_t al, size_t off),  \
    (p, n, size, al, off), Realloc, (p, product(n, size)))                                       \
  X(mi_expand, void*, (void* p, size_t size), (p, size), Realloc, (p, size))                     \
  X(mi_strdup, char*, (const char* s), (s), Duplicate, (true))                                   \
  X(mi_strndup, char*, (const char* s, size_t n), (s, n), Duplicate, (true))                     \
  X(mi_realpath, char*, (const char* name, char* out), (name, out), Duplicate, (out == nullptr)) \
  X(mi_free, void, (void* p), (p), Free, (p))                                                    \
  X(mi_cfree, void, (void* p), (p), Free, (p))                                                   \
  X(mi_free_size, void, (void* p, size_t size), (p, size), Free, (p))                            \
  X(mi_free_aligned, void, (void* p, size_t al), (p, al), Free, (p))                             \
  X(mi_free_size_aligned, void, (void* p, size_t size, size_t al), (p, size, al), Free, (p))     \
  X(mi_new, void*, (size_t size), (size), New, ([&] { return mi_new_nothrow(size); }))           \
  X(mi_new_aligned, void*, (size_t size, size_t al), (size, al), New,                            \
    ([&] { return mi_new_aligned_nothrow(size, al); }))                                          \
  X(mi_new_n, void*, (size_t n, size_t size), (n, size), New, ([&] { return mi_mallocn(n, size); })) \
  X(mi_new_realloc, void*, (void* p, size_t size), (p, size), New,                               \
    ([&] { return mi_realloc(p, size); }))                                                       \
  X(mi_new_reallocn, void*, (void* p, size_t n, size_t size), (p, n, size), New,                 \
    ([&] { return mi_reallocn(p, n, size); }))                                                   \
  X(mi_new_nothrow, void*, (size_t size), (size), Alloc, (size))                                 \
  X(mi_new_aligned_nothrow, void*, (size_t size, size_t al), (size, al), Alloc, (size))
// clang-format on

#define SLOWBURN_ALLOCATOR_HOOKS(X) \
  SLOWBURN_CXX_HOOKS(X)             \
  SLOWBURN_JEMALLOC_HOOKS(X) SLOWBURN_TCMALLOC_HOOKS(X) SLOWBURN_MIMALLOC_HOOKS(X)
