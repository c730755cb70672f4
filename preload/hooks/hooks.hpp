#pragma once
// The hook implementations. Each has the libc prototype and an assembler name
// "slowburn_hook_<name>"; the file defining it publishes it under the libc name with
// SLOWBURN_EXPORT_HOOKS, the only symbols this library exports.

#include "hooks/hook_list.hpp"

#define SLOWBURN_HOOK(name) asm("slowburn_hook_" #name)

namespace slowburn::preload::hooks {

void* malloc(size_t size) noexcept SLOWBURN_HOOK(malloc);
void free(void* block) noexcept SLOWBURN_HOOK(free);
void* calloc(size_t count, size_t size) noexcept SLOWBURN_HOOK(calloc);
void* realloc(void* block, size_t size) noexcept SLOWBURN_HOOK(realloc);
void* reallocarray(void* block, size_t count, size_t size) noexcept SLOWBURN_HOOK(reallocarray);
int posix_memalign(void** out, size_t alignment, size_t size) noexcept
    SLOWBURN_HOOK(posix_memalign);
void* aligned_alloc(size_t alignment, size_t size) noexcept SLOWBURN_HOOK(aligned_alloc);
void* memalign(size_t alignment, size_t size) noexcept SLOWBURN_HOOK(memalign);
void* valloc(size_t size) noexcept SLOWBURN_HOOK(valloc);
void* pvalloc(size_t size) noexcept SLOWBURN_HOOK(pvalloc);
size_t malloc_usable_size(void* block) noexcept SLOWBURN_HOOK(malloc_usable_size);

ssize_t read(int fd, void* buf, size_t count) SLOWBURN_HOOK(read);
ssize_t pread(int fd, void* buf, size_t count, off_t offset) SLOWBURN_HOOK(pread);
ssize_t pread64(int fd, void* buf, size_t count, off64_t offset) SLOWBURN_HOOK(pread64);
ssize_t readv(int fd, const struct iovec* iov, int iovcnt) SLOWBURN_HOOK(readv);
ssize_t recv(int fd, void* buf, size_t len, int flags) SLOWBURN_HOOK(recv);
ssize_t recvfrom(int fd, void* buf, size_t len, int flags, struct sockaddr* addr,
                 socklen_t* addrlen) SLOWBURN_HOOK(recvfrom);
ssize_t recvmsg(int fd, struct msghdr* msg, int flags) SLOWBURN_HOOK(recvmsg);
ssize_t write(int fd, const void* buf, size_t count) SLOWBURN_HOOK(write);
ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) SLOWBURN_HOOK(pwrite);
ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) SLOWBURN_HOOK(pwrite64);
ssize_t writev(int fd, const struct iovec* iov, int iovcnt) SLOWBURN_HOOK(writev);
ssize_t send(int fd, const void* buf, size_t len, int flags) SLOWBURN_HOOK(send);
ssize_t sendto(int fd, const void* buf, size_t len, int flags, const struct sockaddr* addr,
               socklen_t addrlen) SLOWBURN_HOOK(sendto);
ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) SLOWBURN_HOOK(sendmsg);

int dlclose(void* handle) noexcept SLOWBURN_HOOK(dlclose);
int dl_iterate_phdr(int (*callback)(struct dl_phdr_info*, size_t, void*), void* data)
    SLOWBURN_HOOK(dl_iterate_phdr);

}  // namespace slowburn::preload::hooks

// The conversion fails to compile unless the hook has the libc prototype, which the
// alias would otherwise take on trust. An alias must sit beside its target's definition.
#define SLOWBURN_EXPORT_HOOK(name)                                                \
  [[maybe_unused]] static constexpr decltype(&::name) slowburn_prototype_##name = \
      &slowburn::preload::hooks::name;                                            \
  extern "C"                                                                      \
      [[gnu::alias("slowburn_hook_" #name), gnu::visibility("default")]] decltype(::name) name;
