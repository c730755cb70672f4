// Drops privileges the way daemons do: keeps its capabilities across setresuid
// (PR_SET_KEEPCAPS), raises CAP_SETGID again with capset (which acts on the calling thread
// only), then calls setresgid and setgroups, which glibc applies to every thread of the
// process and aborts the process if one thread's copy fails. Must start as root; prints
// its final ids. Usage: pl_privdrop
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

[[gnu::noinline]] void* keep(size_t n) {
  void* p = std::malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

bool raiseSetgid() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[0].effective |= 1u << CAP_SETGID;
  return syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

int main() {
  keep(10001);
  const uid_t nobody = 65534;
  if (prctl(PR_SET_KEEPCAPS, 1) != 0 || setresuid(nobody, nobody, nobody) != 0) {
    std::perror("setresuid");
    return 1;
  }
  if (!raiseSetgid()) {
    std::perror("capset");
    return 1;
  }
  if (setresgid(nobody, nobody, nobody) != 0 || setgroups(0, nullptr) != 0) {
    std::perror("setresgid");
    return 1;
  }
  keep(20001);
  uid_t r, e, s;
  gid_t gr, ge, gs;
  getresuid(&r, &e, &s);
  getresgid(&gr, &ge, &gs);
  std::printf("uid %u %u %u gid %u %u %u\n", r, e, s, gr, ge, gs);
  return 0;
}
