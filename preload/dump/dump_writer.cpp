#include "dump/dump_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "dump/dump_path.hpp"
#include "support/raw_io.hpp"

namespace slowburn::preload {
namespace {

// Moves fd to kHighFd or above so programs that use low numbers never meet it; keeps the
// original when the limit is lower than that.
int moveHigh(int fd, int low) {
  const int high = raw::fcntl(fd, F_DUPFD_CLOEXEC, low);
  if (high < 0) return fd;
  raw::close(fd);
  return high;
}

}  // namespace

bool DumpWriter::fail(int error) {
  if (m_error == 0) m_error = error;
  return false;
}

bool DumpWriter::create(const char* path) {
  const size_t len = std::strlen(path);
  if (len + 1 > sizeof(m_path)) return fail(ENAMETOOLONG);
  std::memcpy(m_path, path, len + 1);
  int fd = openUnnamedBeside(m_path);
  m_unnamed = fd >= 0;
  // No O_TMPFILE on this filesystem: create the name at once instead.
  if (fd == -EOPNOTSUPP || fd == -EISDIR || fd == -EINVAL)
    fd = createDumpFile(m_path, sizeof(m_path));
  if (fd < 0) return fail(-fd);
  m_fd = moveHigh(fd, kHighFd);
  struct stat st {};
  if (const int r = raw::fstat(m_fd, &st); r < 0) return fail(-r);
  m_dev = st.st_dev;
  m_ino = st.st_ino;
  m_used = format::writePreamble(m_out);
  m_error = 0;
  return true;
}

bool DumpWriter::publish() {
  if (!m_unnamed) {
    if (!flush()) return false;
    m_compressor.start();
    return true;
  }
  if (m_error != 0) return false;
  // The buffered bytes stay in m_out until the file has its name, for the fallback.
  if (const int r = raw::writeAll(m_fd, m_out, m_used); r < 0) return fail(-r);
  int r = linkDumpFile(m_fd, m_path, sizeof(m_path));
  if (r == -ENOENT) {
    // No /proc to name the file through: create the name directly and write again.
    raw::close(m_fd);
    m_unnamed = false;
    const int fd = createDumpFile(m_path, sizeof(m_path));
    if (fd < 0) return fail(-fd);
    m_fd = moveHigh(fd, kHighFd);
    struct stat st {};
    if (const int e = raw::fstat(m_fd, &st); e < 0) return fail(-e);
    m_dev = st.st_dev;
    m_ino = st.st_ino;
    r = raw::writeAll(m_fd, m_out, m_used);
  }
  if (r < 0) return fail(-r);
  m_written += m_used;
  m_used = 0;
  m_unnamed = false;
  m_compressor.start();  // or, without memory for it, records go out one by one
  return true;
}

void DumpWriter::forgetInherited() {
  if (m_fd >= 0) {
    // Our own copy of the descriptor, if the child did not close it already; the
    // identity check keeps us from closing a number the child reused for itself.
    struct stat st {};
    if (raw::fstat(m_fd, &st) == 0 && st.st_dev == m_dev && st.st_ino == m_ino) {
      raw::close(m_fd);
    }
  }
  m_fd = -1;
  m_unnamed = false;
  m_used = 0;
  m_staged = 0;
  m_written = 0;
  m_error = 0;
}

bool DumpWriter::commit(const format::RecordBytes& record) {
  if (m_error != 0) return false;
  if (record.size == 0) return fail(EOVERFLOW);
  if (m_compressor.started()) return stage(record);
  if (m_used + record.size > kOutputBytes && !writeBuffered()) return false;
  if (record.size > kOutputBytes) return writeOut(record.data, record.size);
  std::memcpy(m_out + m_used, record.data, record.size);
  m_used += record.size;
  return true;
}

bool DumpWriter::stage(const format::RecordBytes& record) {
  if (m_staged + record.size > kStagedBytes && !compressStaged(StreamCompressor::Mode::Continue))
    return false;
  if (record.size > kStagedBytes) {
    return m_compressor.compress(record.data, record.size, StreamCompressor::Mode::Continue,
                                 &commitChunk, this) ||
           fail(EIO);
  }
  std::memcpy(m_stagedRecords + m_staged, record.data, record.size);
  m_staged += record.size;
  return true;
}

bool DumpWriter::compressStaged(StreamCompressor::Mode mode) {
  const size_t n = m_staged;
  m_staged = 0;
  if (!m_compressor.compress(m_stagedRecords, n, mode, &commitChunk, this))
    return m_error != 0 ? false : fail(EIO);
  return true;
}

// A piece of the compressed stream, framed as a CHUNK record among the file's records.
bool DumpWriter::commitChunk(void* self, const uint8_t* bytes, size_t size) {
  auto* w = static_cast<DumpWriter*>(self);
  format::RecordBuilder b(w->m_chunkRecord, sizeof(w->m_chunkRecord));
  format::encode(b, format::ChunkView{{reinterpret_cast<const char*>(bytes), size}});
  const format::RecordBytes r = b.finish();
  if (r.size == 0) return w->fail(EOVERFLOW);
  if (w->m_used + r.size > kOutputBytes && !w->writeBuffered()) return false;
  std::memcpy(w->m_out + w->m_used, r.data, r.size);
  w->m_used += r.size;
  return true;
}

bool DumpWriter::flush(bool last) {
  if (m_error != 0) return false;
  if (m_compressor.started() &&
      !compressStaged(last ? StreamCompressor::Mode::End : StreamCompressor::Mode::Flush))
    return false;
  return writeBuffered();
}

bool DumpWriter::writeBuffered() {
  if (m_error != 0) return false;
  if (m_used == 0) return true;
  const size_t n = m_used;
  m_used = 0;
  return writeOut(m_out, n);
}

bool DumpWriter::writeOut(const uint8_t* data, size_t size) {
  if (m_fd < 0) return fail(EBADF);
  if (!m_unnamed && !ensureSameFile()) return false;
  int r = raw::writeAll(m_fd, data, size);
  if (r == -EBADF) {
    // Closed between the check and the write: one more try through the path.
    if (!reopen()) return false;
    r = raw::writeAll(m_fd, data, size);
  }
  if (r < 0) return fail(-r);
  m_written += size;
  return true;
}

bool DumpWriter::ensureSameFile() {
  struct stat st {};
  const int r = raw::fstat(m_fd, &st);
  if (r == 0 && st.st_dev == m_dev && st.st_ino == m_ino) return true;
  if (r < 0 && r != -EBADF) return fail(-r);
  // Closed, or the number now belongs to the program: leave it alone and reopen.
  m_fd = -1;
  return reopen();
}

bool DumpWriter::reopen() {
  const int fd = raw::open(m_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(-fd);
  struct stat st {};
  if (raw::fstat(fd, &st) < 0 || st.st_dev != m_dev || st.st_ino != m_ino) {
    raw::close(fd);
    return fail(ESTALE);  // the path now names another file: never write into it
  }
  m_fd = moveHigh(fd, kHighFd);
  return true;
}

}  // namespace slowburn::preload
