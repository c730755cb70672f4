// The read/write family. A call is counted after it returns, against its
// caller's return address; the profiler's own I/O uses raw syscalls and never gets here.

#include <sys/syscall.h>

#include "hooks/hooks.hpp"
#include "hooks/originals.hpp"
#include "lifecycle/lifecycle.hpp"
#include "record/recorder.hpp"
#include "record/runtime.hpp"

namespace slowburn::preload::hooks {
namespace {

using format::SyscallOp;

#define SLOWBURN_CALLER reinterpret_cast<uintptr_t>(__builtin_return_address(0))

inline ssize_t counted(SyscallOp op, uintptr_t caller, ssize_t result) {
  if (shouldRecord() && runtime().options.counts(op)) [[likely]] {
    ReentryGuard guard;
    countSyscall(op, caller, result);
  }
  return result;
}

// Only the thread resolving the originals can see them missing, and dlsym does no I/O;
// the raw syscall keeps even that impossible case correct.
inline const Originals* real() { return originals(); }

}  // namespace

ssize_t read(int fd, void* buf, size_t count) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->read(fd, buf, count) : syscall(SYS_read, fd, buf, count);
  return counted(SyscallOp::Read, SLOWBURN_CALLER, n);
}

ssize_t pread(int fd, void* buf, size_t count, off_t offset) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->pread(fd, buf, count, offset)
                                 : syscall(SYS_pread64, fd, buf, count, offset);
  return counted(SyscallOp::Pread64, SLOWBURN_CALLER, n);
}

ssize_t pread64(int fd, void* buf, size_t count, off64_t offset) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->pread64(fd, buf, count, offset)
                                 : syscall(SYS_pread64, fd, buf, count, offset);
  return counted(SyscallOp::Pread64, SLOWBURN_CALLER, n);
}

ssize_t readv(int fd, const struct iovec* iov, int iovcnt) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->readv(fd, iov, iovcnt) : syscall(SYS_readv, fd, iov, iovcnt);
  return counted(SyscallOp::Readv, SLOWBURN_CALLER, n);
}

ssize_t recv(int fd, void* buf, size_t len, int flags) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->recv(fd, buf, len, flags)
                                 : syscall(SYS_recvfrom, fd, buf, len, flags, nullptr, nullptr);
  return counted(SyscallOp::Recv, SLOWBURN_CALLER, n);
}

ssize_t recvfrom(int fd, void* buf, size_t len, int flags, struct sockaddr* addr,
                 socklen_t* addrlen) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->recvfrom(fd, buf, len, flags, addr, addrlen)
                                 : syscall(SYS_recvfrom, fd, buf, len, flags, addr, addrlen);
  return counted(SyscallOp::Recvfrom, SLOWBURN_CALLER, n);
}

ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  const Originals* r = real();
  const ssize_t n =
      r != nullptr ? r->recvmsg(fd, msg, flags) : syscall(SYS_recvmsg, fd, msg, flags);
  return counted(SyscallOp::Recvmsg, SLOWBURN_CALLER, n);
}

ssize_t write(int fd, const void* buf, size_t count) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->write(fd, buf, count) : syscall(SYS_write, fd, buf, count);
  return counted(SyscallOp::Write, SLOWBURN_CALLER, n);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->pwrite(fd, buf, count, offset)
                                 : syscall(SYS_pwrite64, fd, buf, count, offset);
  return counted(SyscallOp::Pwrite64, SLOWBURN_CALLER, n);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->pwrite64(fd, buf, count, offset)
                                 : syscall(SYS_pwrite64, fd, buf, count, offset);
  return counted(SyscallOp::Pwrite64, SLOWBURN_CALLER, n);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  const Originals* r = real();
  const ssize_t n =
      r != nullptr ? r->writev(fd, iov, iovcnt) : syscall(SYS_writev, fd, iov, iovcnt);
  return counted(SyscallOp::Writev, SLOWBURN_CALLER, n);
}

ssize_t send(int fd, const void* buf, size_t len, int flags) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->send(fd, buf, len, flags)
                                 : syscall(SYS_sendto, fd, buf, len, flags, nullptr, 0);
  return counted(SyscallOp::Send, SLOWBURN_CALLER, n);
}

ssize_t sendto(int fd, const void* buf, size_t len, int flags, const struct sockaddr* addr,
               socklen_t addrlen) {
  const Originals* r = real();
  const ssize_t n = r != nullptr ? r->sendto(fd, buf, len, flags, addr, addrlen)
                                 : syscall(SYS_sendto, fd, buf, len, flags, addr, addrlen);
  return counted(SyscallOp::Sendto, SLOWBURN_CALLER, n);
}

ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  const Originals* r = real();
  const ssize_t n =
      r != nullptr ? r->sendmsg(fd, msg, flags) : syscall(SYS_sendmsg, fd, msg, flags);
  return counted(SyscallOp::Sendmsg, SLOWBURN_CALLER, n);
}

}  // namespace slowburn::preload::hooks

SLOWBURN_IO_HOOKS(SLOWBURN_EXPORT_HOOK)
