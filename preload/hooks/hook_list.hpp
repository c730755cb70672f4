#pragma once
// Every interposed function, declared once. The list is expanded for the table of typed
// originals, for their resolution with dlsym(RTLD_NEXT, ...) and for the check that each
// exported hook has exactly the libc prototype (memray keeps its hooks the same way).

#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

// glibc's start routine has no prototype in any header.
extern "C" int __libc_start_main(int (*main)(int, char**, char**), int argc, char** argv,
                                 void (*init)(), void (*fini)(), void (*rtldFini)(),
                                 void* stackEnd);

#define SLOWBURN_ALLOC_HOOKS(X) \
  X(malloc)                     \
  X(free)                       \
  X(calloc)                     \
  X(realloc)                    \
  X(reallocarray)               \
  X(posix_memalign)             \
  X(aligned_alloc)              \
  X(memalign)                   \
  X(valloc)                     \
  X(pvalloc)                    \
  X(malloc_usable_size)

// The counted read/write family, one line each: name, the op it counts as, its parameters,
// the arguments to pass on, and the raw system call (with its arguments) used in the one
// moment the originals are not known yet. Declarations and bodies are generated from it
// (hooks.hpp, hooks_io.cpp). pread/pwrite are the same functions as pread64/pwrite64 on
// LP64 under a second name that most programs link against; they count as pread64/pwrite64.
#define SLOWBURN_IO_HOOKS(X)                                                                       \
  X(read, Read, (int fd, void* buf, size_t n), (fd, buf, n), SYS_read, (fd, buf, n))               \
  X(pread, Pread64, (int fd, void* buf, size_t n, off_t o), (fd, buf, n, o), SYS_pread64,          \
    (fd, buf, n, o))                                                                               \
  X(pread64, Pread64, (int fd, void* buf, size_t n, off64_t o), (fd, buf, n, o), SYS_pread64,      \
    (fd, buf, n, o))                                                                               \
  X(readv, Readv, (int fd, const iovec* v, int c), (fd, v, c), SYS_readv, (fd, v, c))              \
  X(recv, Recv, (int fd, void* buf, size_t n, int f), (fd, buf, n, f), SYS_recvfrom,               \
    (fd, buf, n, f, nullptr, nullptr))                                                             \
  X(recvfrom, Recvfrom, (int fd, void* buf, size_t n, int f, sockaddr* a, socklen_t* l),           \
    (fd, buf, n, f, a, l), SYS_recvfrom, (fd, buf, n, f, a, l))                                    \
  X(recvmsg, Recvmsg, (int fd, msghdr* m, int f), (fd, m, f), SYS_recvmsg, (fd, m, f))             \
  X(write, Write, (int fd, const void* buf, size_t n), (fd, buf, n), SYS_write, (fd, buf, n))      \
  X(pwrite, Pwrite64, (int fd, const void* buf, size_t n, off_t o), (fd, buf, n, o), SYS_pwrite64, \
    (fd, buf, n, o))                                                                               \
  X(pwrite64, Pwrite64, (int fd, const void* buf, size_t n, off64_t o), (fd, buf, n, o),           \
    SYS_pwrite64, (fd, buf, n, o))                                                                 \
  X(writev, Writev, (int fd, const iovec* v, int c), (fd, v, c), SYS_writev, (fd, v, c))           \
  X(send, Send, (int fd, const void* buf, size_t n, int f), (fd, buf, n, f), SYS_sendto,           \
    (fd, buf, n, f, nullptr, 0))                                                                   \
  X(sendto, Sendto, (int fd, const void* buf, size_t n, int f, const sockaddr* a, socklen_t l),    \
    (fd, buf, n, f, a, l), SYS_sendto, (fd, buf, n, f, a, l))                                      \
  X(sendmsg, Sendmsg, (int fd, const msghdr* m, int f), (fd, m, f), SYS_sendmsg, (fd, m, f))

// dlclose: pending sites are published while the library's code is still mapped.
// dl_iterate_phdr: walks of the loader's list are kept out of fork (fork_gate.hpp).
#define SLOWBURN_LOADER_HOOKS(X) \
  X(dlclose)                     \
  X(dl_iterate_phdr)

// The moment a clean exit's teardown begins: main returning (main is wrapped through
// __libc_start_main, which the executable's _start calls through its PLT) or exit() called.
#define SLOWBURN_EXIT_HOOKS(X) \
  X(__libc_start_main)         \
  X(exit)

// The mapping family (hooks_map.cpp): private anonymous mappings are memory that malloc
// never sees (arenas of other allocators, interpreters' object heaps).
#define SLOWBURN_MAP_HOOKS(X) \
  X(mmap)                     \
  X(mmap64)                   \
  X(munmap)                   \
  X(mremap)                   \
  X(brk)                      \
  X(sbrk)

// Every exported hook by name: X(name, ...) for each list (the IO list's extra columns are
// ignored).
#define SLOWBURN_HOOKS(X) \
  SLOWBURN_ALLOC_HOOKS(X) \
  SLOWBURN_IO_HOOKS(X) SLOWBURN_LOADER_HOOKS(X) SLOWBURN_MAP_HOOKS(X) SLOWBURN_EXIT_HOOKS(X)

// Redirections made only by slowburn attach, never exported: dlopen, so modules loaded
// while attached get their GOT entries redirected too. Exported, it would make every
// program's dlopen calls look as if they came from this library (see hooks_dlopen.cpp).
#define SLOWBURN_ATTACH_HOOKS(X) X(dlopen)

// Everything that has an original to call.
#define SLOWBURN_ALL_HOOKS(X) SLOWBURN_HOOKS(X) SLOWBURN_ATTACH_HOOKS(X)
