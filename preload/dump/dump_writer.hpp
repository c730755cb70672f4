#pragma once
// Appends framed records to the dump file without ever allocating.
//
// The preamble and HEADER go out as they are; every record after them goes through one
// zstd stream (stream_compressor.hpp) whose output is written as CHUNK records (format
// version 2). Records are built in a static scratch buffer, gathered for the compressor,
// and the chunks in a static output buffer written with raw write(2) whenever it fills and
// at every flush (the collector flushes after each snapshot): the compressor is flushed
// too, so a SIGKILL loses at most one interval. Without zstd (no memory for it) the
// records go out unchunked, as version 2 allows.
//
// The program may close every descriptor or chdir: the fd lives high (>= kHighFd) with
// CLOEXEC, and before each write the file's identity (device + inode, taken at creation)
// is checked. If the fd was closed (EBADF) or now names something else, the file is
// reopened by its absolute path, but only if that path still leads to the same inode;
// a descriptor number the program reused is never written to or closed.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "dump/stream_compressor.hpp"
#include "slowburn/format.hpp"
#include "slowburn/record_builder.hpp"
#include "slowburn/record_codec.hpp"

namespace slowburn::preload {

class DumpWriter {
 public:
  static constexpr int kHighFd = 900;
  static constexpr size_t kScratchBytes = 64 * 1024;
  static constexpr size_t kOutputBytes = 256 * 1024;
  static constexpr size_t kStagedBytes = 256 * 1024;  // records waiting for the compressor
  static constexpr size_t kPathBytes = format::kMaxStringBytes;

  // Opens the file that will become path and buffers the preamble; false with error()
  // set on failure. Until publish() the file has no name where the filesystem allows.
  bool create(const char* path);
  // Writes what is buffered and gives the file its name (path, or a numeric suffix
  // when taken): a dump appears whole, with its preamble and HEADER, or not at all.
  // Records appended after this one travel in CHUNKs.
  bool publish();

  // Appends one record of slowburn/records.hpp (a snapshot point may take several
  // records); false when the writer failed.
  template <class Record>
  bool append(const Record& record) {
    using Framing = format::RecordBuilder::Framing;
    format::RecordBuilder b(m_scratch, kScratchBytes, format::kVersion,
                            m_compressor.started() ? Framing::InChunk : Framing::Checked);
    return format::writeRecord(b, record,
                               [this](const format::RecordBytes& r) { return commit(r); });
  }
  // Writes everything appended so far; last: the dump is complete (ends the zstd frame).
  bool flush(bool last = false);

  // The fork child inherited the parent's descriptor: close the child's copy (the
  // parent's stays open) and forget it, so nothing the child writes reaches that file.
  void forgetInherited();

  bool isOpen() const { return m_fd >= 0; }
  int fd() const { return m_fd; }
  const char* path() const { return m_path; }
  int error() const { return m_error; }  // errno of the first failure, 0 if none
  uint64_t bytesWritten() const { return m_written; }

 private:
  bool commit(const format::RecordBytes& record);
  bool stage(const format::RecordBytes& record);
  bool compressStaged(StreamCompressor::Mode mode);
  static bool commitChunk(void* self, const uint8_t* bytes, size_t size);
  bool writeBuffered();
  bool writeOut(const uint8_t* data, size_t size);
  bool ensureSameFile();
  bool reopen();
  bool fail(int error);

  int m_fd = -1;
  bool m_unnamed = false;
  dev_t m_dev = 0;
  ino_t m_ino = 0;
  int m_error = 0;
  uint64_t m_written = 0;
  size_t m_used = 0;
  size_t m_staged = 0;
  char m_path[kPathBytes] = {};
  StreamCompressor m_compressor;
  uint8_t m_scratch[kScratchBytes];
  // A CHUNK record is framed here: m_scratch may hold a record still to be staged.
  uint8_t m_chunkRecord[StreamCompressor::kPieceBytes + format::kMaxFramingBytes];
  uint8_t m_stagedRecords[kStagedBytes];
  uint8_t m_out[kOutputBytes];
};

}  // namespace slowburn::preload
