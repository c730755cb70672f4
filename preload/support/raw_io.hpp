#pragma once
// The profiler's own I/O: raw syscalls only, so none of it is ever seen by the read/write
// hooks, and no stdio buffer or heap is involved (mimalloc does its reads the same way).

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>

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

// One line "slowburn: <parts...>\n" on stderr, in a single write.
void stderrLine(std::initializer_list<const char*> parts);
inline void stderrLine(const char* text) { stderrLine({text}); }

uint64_t monotonicNs();
uint64_t realtimeNs();
void sleepNs(uint64_t ns);
// Sleeps up to ns unless *word changes from expected (or is woken); futex(2), private.
void waitOnWord(const uint32_t* word, uint32_t expected, uint64_t ns);
void wakeWord(const uint32_t* word);

int pid();
int ppid();

}  // namespace slowburn::preload::raw
