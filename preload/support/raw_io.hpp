#pragma once
// The profiler's own I/O: raw syscalls only, so none of it is ever seen by the read/write
// hooks, and no stdio buffer or heap is involved (mimalloc does its reads the same way).

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace slowburn::preload::raw {

// Each returns -errno on failure, like the kernel does, and never touches the caller's errno.
ssize_t write(int fd, const void* data, size_t size);
ssize_t read(int fd, void* data, size_t size);
ssize_t pread(int fd, void* data, size_t size, off_t offset);
int open(const char* path, int flags, int mode = 0);
int close(int fd);
int fcntl(int fd, int cmd, long arg);
int fstat(int fd, struct stat* out);
int unlink(const char* path);
// Follows a /proc/self/fd/N source, so it can name an O_TMPFILE file without privileges.
int linkat(const char* from, const char* to);
ssize_t readlink(const char* path, char* out, size_t size);
int getcwd(char* out, size_t size);

// Writes everything, retrying short writes and EINTR; returns 0 or -errno.
int writeAll(int fd, const void* data, size_t size);

// Reads a small file whole into out (NUL-terminated); returns bytes read or -errno.
ssize_t readSmallFile(const char* path, char* out, size_t size);

// Duplicates fd to the lowest free number >= low, close-on-exec; returns it or -errno.
int dupHigh(int fd, int low);
// Moves fd to low or above (closing the original); keeps fd when that fails.
int moveHigh(int fd, int low);
// Whether fd is open and still names the file (device, inode) it named before.
bool sameFile(int fd, dev_t dev, ino_t ino);
int pipe(int fds[2], int flags);
int memfdCreate(const char* name, unsigned flags);
int ftruncate(int fd, off_t size);
// mmap(2) and munmap(2) as raw syscalls (the mmap family may be interposed); nullptr on
// failure.
void* map(void* address, size_t size, int prot, int flags, int fd, off_t offset);
int unmap(void* address, size_t size);
int madvise(void* address, size_t size, int advice);
// Closes every descriptor from first up, except those in keep.
void closeAllFrom(int first, const int* keep, size_t keepCount);

uint64_t monotonicNs();
uint64_t realtimeNs();
void sleepNs(uint64_t ns);
// Sleeps up to ns unless *word changes from expected (or is woken); futex(2). The
// private forms serve one process; the shared ones a word in memory two processes map.
void waitOnWord(const uint32_t* word, uint32_t expected, uint64_t ns);
void wakeWord(const uint32_t* word);
void waitOnSharedWord(const uint32_t* word, uint32_t expected, uint64_t ns);
void wakeSharedWord(const uint32_t* word);

int pid();
int ppid();
// pidfd_open(2): a descriptor for process pid (close-on-exec); -ENOSYS before Linux 5.3.
int pidfdOpen(int pid);
// poll(2) of one descriptor without waiting: the events it reports now, or -errno.
int pollNow(int fd, short events);

}  // namespace slowburn::preload::raw
