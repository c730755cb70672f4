#pragma once
// Every interposed function, declared once. The list is expanded for the table of typed
// originals, for their resolution with dlsym(RTLD_NEXT, ...) and for the check that each
// exported hook has exactly the libc prototype (memray keeps its hooks the same way).

#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

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

// pread/pwrite are the same functions as pread64/pwrite64 on LP64 under a second name
// that most programs link against; they count as pread64/pwrite64.
#define SLOWBURN_IO_HOOKS(X) \
  X(read)                    \
  X(pread)                   \
  X(pread64)                 \
  X(readv)                   \
  X(recv)                    \
  X(recvfrom)                \
  X(recvmsg)                 \
  X(write)                   \
  X(pwrite)                  \
  X(pwrite64)                \
  X(writev)                  \
  X(send)                    \
  X(sendto)                  \
  X(sendmsg)

// dlclose: pending sites are published while the library's code is still mapped.
// dl_iterate_phdr: walks of the loader's list are kept out of fork (fork_gate.hpp).
#define SLOWBURN_LOADER_HOOKS(X) \
  X(dlclose)                     \
  X(dl_iterate_phdr)

#define SLOWBURN_HOOKS(X) SLOWBURN_ALLOC_HOOKS(X) SLOWBURN_IO_HOOKS(X) SLOWBURN_LOADER_HOOKS(X)
