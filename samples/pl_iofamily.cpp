// Every counted syscall wrapper once, each from its own function with its own byte
// count: files for the pread/pwrite/readv/writev family, a socket pair for the rest.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>

namespace {

char g_buf[512];
int g_failures = 0;

void expect(ssize_t got, ssize_t want) {
  if (got != want) ++g_failures;
}

[[gnu::noinline]] void viaPread(int fd) { expect(pread(fd, g_buf, 101, 0), 101); }
[[gnu::noinline]] void viaPread64(int fd) { expect(pread64(fd, g_buf, 102, 0), 102); }
[[gnu::noinline]] void viaReadv(int fd) {
  struct iovec iov[2] = {{g_buf, 50}, {g_buf + 50, 53}};
  expect(readv(fd, iov, 2), 103);
}
[[gnu::noinline]] void viaPwrite(int fd) { expect(pwrite(fd, g_buf, 104, 0), 104); }
[[gnu::noinline]] void viaPwrite64(int fd) { expect(pwrite64(fd, g_buf, 105, 0), 105); }
[[gnu::noinline]] void viaWritev(int fd) {
  struct iovec iov[2] = {{g_buf, 50}, {g_buf + 50, 56}};
  expect(writev(fd, iov, 2), 106);
}
[[gnu::noinline]] void viaSend(int fd) { expect(send(fd, g_buf, 107, 0), 107); }
[[gnu::noinline]] void viaRecv(int fd) { expect(recv(fd, g_buf, 107, MSG_WAITALL), 107); }
[[gnu::noinline]] void viaSendto(int fd) { expect(sendto(fd, g_buf, 108, 0, nullptr, 0), 108); }
[[gnu::noinline]] void viaRecvfrom(int fd) {
  expect(recvfrom(fd, g_buf, 108, MSG_WAITALL, nullptr, nullptr), 108);
}
[[gnu::noinline]] void viaSendmsg(int fd) {
  struct iovec iov = {g_buf, 109};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  expect(sendmsg(fd, &msg, 0), 109);
}
[[gnu::noinline]] void viaRecvmsg(int fd) {
  struct iovec iov = {g_buf, 109};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  expect(recvmsg(fd, &msg, MSG_WAITALL), 109);
}

}  // namespace

int main() {
  const int zero = open("/dev/zero", O_RDONLY);
  const int null = open("/dev/null", O_WRONLY);
  int pair[2];
  if (zero < 0 || null < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 2;
  viaPread(zero);
  viaPread64(zero);
  viaReadv(zero);
  viaPwrite(null);
  viaPwrite64(null);
  viaWritev(null);
  viaSend(pair[0]);
  viaRecv(pair[1]);
  viaSendto(pair[0]);
  viaRecvfrom(pair[1]);
  viaSendmsg(pair[0]);
  viaRecvmsg(pair[1]);
  std::printf("%s\n", g_failures == 0 ? "ok" : "misbehaved");
  return g_failures == 0 ? 0 : 1;
}
