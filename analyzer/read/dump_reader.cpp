#include "read/dump_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "read/payload_cursor.hpp"
#include "slowburn/checksum.hpp"
#include "slowburn/record_codec.hpp"
#include "slowburn/varint.hpp"

namespace slowburn::analyze {
namespace {

using format::Tag;

// Checks the order of records and hands each payload to its decoder, which validates it
// against the records before it.
class RecordDecoder {
 public:
  explicit RecordDecoder(DumpVisitor& visitor) : m_visitor(visitor) {}
  // The preamble's version: what a record may be depends on it.
  void setVersion(uint32_t version) { m_version = version; }

  void decode(Tag tag, const uint8_t* payload, size_t size, ReadSummary& summary) {
    PayloadCursor in(payload, size, tagName(tag));
    if (!m_sawHeader && tag != Tag::Header) throw DumpError("first record is not a HEADER");
    if (m_sawHeader && tag == Tag::Header) throw DumpError("second HEADER record");
    if (summary.sawEnd) throw DumpError("record after END");
    if (m_version < format::kStackTreeVersion && tag == Tag::Chunk)
      throw DumpError("CHUNK in a version " + std::to_string(m_version) + " dump");
    const format::ReadSoFar before{m_modules, m_siteKinds, m_lastTimeNs, m_nodes, m_version};
    switch (tag) {
      case Tag::Header: {
        Header h;
        format::decode(in, h);
        m_sawHeader = true;
        m_visitor.onHeader(h);
        break;
      }
      case Tag::Module: {
        Module m;
        format::decode(in, m, before);
        ++m_modules;
        m_visitor.onModule(m);
        break;
      }
      case Tag::Site: {
        Site s;
        format::decode(in, s, before);
        format::addStackNodes(s, m_nodes);
        m_siteKinds.push_back(s.kind);
        m_visitor.onSite(s);
        break;
      }
      case Tag::Snapshot:
        format::decode(in, m_snapshot, before);
        m_lastTimeNs = m_snapshot.timeNs;
        m_visitor.onSnapshot(m_snapshot);
        break;
      case Tag::Note: {
        Note n;
        format::decode(in, n);
        m_visitor.onNote(n);
        break;
      }
      case Tag::End: {
        End e;
        format::decode(in, e, before);
        m_visitor.onEnd(e);
        summary.sawEnd = true;
        break;
      }
      case Tag::Teardown: {
        if (m_version < format::kTeardownVersion) throw DumpError(fmtUnknownTag(tag));
        if (m_sawTeardown) throw DumpError("second TEARDOWN record");
        Teardown t;
        format::decode(in, t, before);
        m_sawTeardown = true;
        m_visitor.onTeardown(t);
        break;
      }
      case Tag::Chunk:
        throw DumpError("CHUNK inside a CHUNK");  // top-level chunks go to ChunkStream
      default: throw DumpError(fmtUnknownTag(tag));
    }
    in.expectEnd();
  }

 private:
  static const char* tagName(Tag tag) {
    switch (tag) {
      case Tag::Header: return "HEADER";
      case Tag::Module: return "MODULE";
      case Tag::Site: return "SITE";
      case Tag::Snapshot: return "SNAPSHOT";
      case Tag::Note: return "NOTE";
      case Tag::End: return "END";
      case Tag::Teardown: return "TEARDOWN";
      case Tag::Chunk: return "CHUNK";
    }
    return "unknown";
  }

  static std::string fmtUnknownTag(Tag tag) {
    return "unknown record tag " + std::to_string(static_cast<unsigned>(tag));
  }

  DumpVisitor& m_visitor;
  uint32_t m_version = format::kVersion;
  bool m_sawHeader = false;
  bool m_sawTeardown = false;
  uint64_t m_modules = 0;
  uint64_t m_lastTimeNs = 0;
  std::vector<format::SiteKind> m_siteKinds;
  std::vector<format::StackNode> m_nodes;
  Snapshot m_snapshot;  // reused so its vector's capacity is kept between records
};

// The records inside a version 3 file's CHUNKs: one zstd stream, decompressed as its
// chunks arrive, and cut into records framed without checksums (the chunk has one).
// Holds at most one record's bytes beyond what it has handed on.
class ChunkStream {
 public:
  explicit ChunkStream(RecordDecoder& decoder) : m_decoder(decoder) {}
  ~ChunkStream() { ZSTD_freeDCtx(m_dctx); }
  ChunkStream(const ChunkStream&) = delete;
  ChunkStream& operator=(const ChunkStream&) = delete;

  void feed(const std::string& compressed, ReadSummary& summary) {
    if (m_dctx == nullptr) {
      m_dctx = ZSTD_createDCtx();
      if (m_dctx == nullptr) throw DumpError("out of memory for the decompressor");
      ZSTD_DCtx_setParameter(m_dctx, ZSTD_d_windowLogMax, format::kMaxWindowLog);
    }
    ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
    uint8_t out[64 * 1024];
    for (;;) {
      ZSTD_outBuffer o{out, sizeof(out), 0};
      const size_t r = ZSTD_decompressStream(m_dctx, &o, &in);
      if (ZSTD_isError(r))
        throw DumpError(std::string("CHUNK does not decompress: ") + ZSTD_getErrorName(r));
      m_pending.insert(m_pending.end(), out, out + o.pos);
      takeRecords(summary);
      // All input taken and room left over: everything decodable so far is out.
      if (in.pos == in.size && o.pos < o.size) break;
    }
  }

  // Bytes of a record not complete yet: at the end of the file, a torn tail.
  bool holdsPartialRecord() const { return !m_pending.empty(); }

 private:
  void takeRecords(ReadSummary& summary) {
    size_t at = 0;
    for (;;) {
      const size_t left = m_pending.size() - at;
      if (left == 0) break;
      const uint8_t* head = m_pending.data() + at;
      uint64_t length = 0;
      const size_t headBytes = std::min<size_t>(left - 1, format::kMaxVarintBytes);
      const size_t lengthBytes = format::getVarint(head + 1, head + 1 + headBytes, length);
      if (lengthBytes == 0) {
        if (headBytes < format::kMaxVarintBytes) break;  // the rest has not arrived yet
        throw DumpError("malformed record length inside a CHUNK");
      }
      if (length > format::kMaxRecordPayload)
        throw DumpError("record inside a CHUNK claims " + std::to_string(length) +
                        " bytes, over the format's limit");
      if (1 + lengthBytes + length > left) break;
      const auto tag = static_cast<Tag>(head[0]);
      m_decoder.decode(tag, head + 1 + lengthBytes, length, summary);
      ++summary.records;
      at += 1 + lengthBytes + length;
    }
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<ptrdiff_t>(at));
  }

  RecordDecoder& m_decoder;
  ZSTD_DCtx* m_dctx = nullptr;
  std::vector<uint8_t> m_pending;
};

// Supplies the file's bytes: everything in memory for readDumpBytes, chunks for a file.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Makes [offset, offset+n) available; returns a pointer to it, or nullptr past EOF.
  virtual const uint8_t* view(uint64_t offset, uint64_t n) = 0;
  virtual uint64_t size() const = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
  const uint8_t* view(uint64_t offset, uint64_t n) override {
    if (offset > m_size || n > m_size - offset) return nullptr;
    return m_data + offset;
  }
  uint64_t size() const override { return m_size; }

 private:
  const uint8_t* m_data;
  uint64_t m_size;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path) {
    // O_NONBLOCK: opening a FIFO or a device given as the dump must not block the analyzer.
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (m_fd < 0) throw DumpError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(m_fd);
      throw DumpError(path + " is not a regular file");
    }
    m_size = static_cast<uint64_t>(st.st_size);
  }
  ~FileSource() override { ::close(m_fd); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Takes in what was appended since: a dump only grows while its process writes it.
  void refresh() {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
      throw DumpError(std::string("cannot stat: ") + std::strerror(errno));
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size < m_size) throw DumpError("the file shrank while it was followed");
    m_size = size;
  }

  const uint8_t* view(uint64_t offset, uint64_t n) override {
    if (offset > m_size || n > m_size - offset) return nullptr;
    if (offset >= m_bufStart && offset + n <= m_bufStart + m_buf.size())
      return m_buf.data() + (offset - m_bufStart);
    // Refill from offset with at least n bytes, in large reads.
    const uint64_t want = std::min<uint64_t>(m_size - offset, std::max<uint64_t>(n, kChunk));
    m_buf.resize(want);
    uint64_t got = 0;
    while (got < want) {
      const ssize_t r =
          ::pread(m_fd, m_buf.data() + got, want - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += static_cast<uint64_t>(r);
    }
    m_buf.resize(got);
    m_bufStart = offset;
    return got >= n ? m_buf.data() : nullptr;
  }
  uint64_t size() const override { return m_size; }

 private:
  static constexpr uint64_t kChunk = 4u << 20;
  int m_fd = -1;
  uint64_t m_size = 0;
  std::vector<uint8_t> m_buf;
  uint64_t m_bufStart = 0;
};

// Reads records from a byte source and resumes where it stopped: readDump makes one pass
// over a finished file, DumpFollower one pass per look at a file that is still growing.
class RecordStream {
 public:
  explicit RecordStream(DumpVisitor& visitor) : m_decoder(visitor), m_chunks(m_decoder) {}

  // Checks magic and version; false while the source is too short to hold them.
  bool readPreamble(ByteSource& source) {
    const uint8_t* preamble = source.view(0, format::kPreambleBytes);
    if (preamble == nullptr) return false;
    if (std::memcmp(preamble, format::kMagic, sizeof(format::kMagic)) != 0)
      throw DumpError("not a slowburn dump (bad magic)");
    const uint32_t version = format::getU32le(preamble + sizeof(format::kMagic));
    if (version < format::kOldestVersion || version > format::kVersion)
      throw DumpError("unsupported dump format version " + std::to_string(version) +
                      " (this slowburn reads versions " + std::to_string(format::kOldestVersion) +
                      " to " + std::to_string(format::kVersion) + ")");
    m_decoder.setVersion(version);
    m_version = version;
    m_offset = format::kPreambleBytes;
    return true;
  }

  // Reads every whole record up to source.size(). Returns what cut the next record short
  // ("record length", "record body"), or nullptr when the source ends between records; a
  // later call with more bytes reads that record again from its start.
  const char* readRecords(ByteSource& source, ReadSummary& summary, const ReadOptions& options) {
    const uint64_t total = source.size();
    while (m_offset < total) {
      const uint64_t offset = m_offset;
      const uint64_t headBytes = std::min<uint64_t>(1 + format::kMaxVarintBytes, total - offset);
      const uint8_t* head = source.view(offset, headBytes);
      if (head == nullptr) throw DumpError("read error at byte " + std::to_string(offset));
      const auto tag = static_cast<Tag>(head[0]);
      uint64_t length = 0;
      const size_t lengthBytes = format::getVarint(head + 1, head + headBytes, length);
      if (lengthBytes == 0) {
        if (headBytes < 1 + format::kMaxVarintBytes) return "record length";
        throw DumpError("malformed record length at byte " + std::to_string(offset));
      }
      if (length > format::kMaxRecordPayload)
        throw DumpError("record at byte " + std::to_string(offset) + " claims " +
                        std::to_string(length) + " bytes, over the format's limit");
      const uint64_t recordBytes = 1 + lengthBytes + length + 4;
      if (recordBytes > total - offset) return "record body";
      const uint8_t* record = source.view(offset, recordBytes);
      if (record == nullptr) throw DumpError("read error at byte " + std::to_string(offset));
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION  // let the fuzzer reach the decoders
      const uint64_t checked = recordBytes - 4;
      if (format::recordChecksum(record, checked) != format::getU32le(record + checked))
        throw DumpError("checksum mismatch in record at byte " + std::to_string(offset) +
                        ": the dump is corrupted");
#endif
      try {
        if (tag == Tag::Chunk && m_version >= format::kStackTreeVersion) {
          PayloadCursor in(record + 1 + lengthBytes, length, "CHUNK");
          format::decode(in, m_chunk);
          summary.chunked = true;
          m_chunks.feed(m_chunk.bytes, summary);
        } else {
          m_decoder.decode(tag, record + 1 + lengthBytes, length, summary);
          ++summary.records;
        }
      } catch (const DumpError& e) {
        throw DumpError(std::string(e.what()) + " (record at byte " + std::to_string(offset) + ")");
      }
      m_offset = offset + recordBytes;
      summary.bytes = m_offset;
      if (options.progress && m_offset - m_lastProgress >= (64u << 20)) {
        options.progress(m_offset, total);
        m_lastProgress = m_offset;
      }
    }
    return nullptr;
  }

  uint64_t offset() const { return m_offset; }
  // Bytes of a record begun in the last whole CHUNK and not finished: at the end of a
  // file, a torn tail.
  bool holdsPartialRecord() const { return m_chunks.holdsPartialRecord(); }

 private:
  RecordDecoder m_decoder;
  ChunkStream m_chunks;
  Chunk m_chunk;  // reused so its buffer is kept between records
  uint32_t m_version = format::kVersion;
  uint64_t m_offset = 0;
  uint64_t m_lastProgress = 0;
};

ReadSummary readFrom(ByteSource& source, DumpVisitor& visitor, const ReadOptions& options) {
  ReadSummary summary;
  const uint64_t total = source.size();
  if (total == 0) throw DumpError("empty file");
  RecordStream stream(visitor);
  if (!stream.readPreamble(source)) throw DumpError("not a slowburn dump (bad magic)");
  const char* cut = stream.readRecords(source, summary, options);
  // A record begun in the last whole chunk but finished in one the file lost.
  if (cut == nullptr && stream.holdsPartialRecord()) cut = "record inside the last CHUNK";
  if (cut != nullptr) {
    summary.truncated = true;
    summary.tornTailNote = "the last record is cut short (" + std::string(cut) + " at byte " +
                           std::to_string(stream.offset()) + " of " + std::to_string(total) +
                           "): the process was probably killed; the rest was analysed";
  }
  if (summary.records == 0) throw DumpError("dump holds no complete record");
  summary.bytes = stream.offset();
  if (options.progress) options.progress(stream.offset(), total);
  return summary;
}

}  // namespace

ReadSummary readDump(const std::string& path, DumpVisitor& visitor, const ReadOptions& options) {
  FileSource source(path);
  try {
    return readFrom(source, visitor, options);
  } catch (const DumpError& e) {
    throw DumpError(path + ": " + e.what());
  }
}

ReadSummary readDumpBytes(const uint8_t* data, size_t size, DumpVisitor& visitor) {
  MemorySource source(data, size);
  return readFrom(source, visitor, {});
}

struct DumpFollower::Impl {
  Impl(const std::string& path, DumpVisitor& visitor) : path(path), source(path), stream(visitor) {}
  std::string path;
  FileSource source;
  RecordStream stream;
  ReadSummary summary;
  bool started = false;
};

DumpFollower::DumpFollower(const std::string& path, DumpVisitor& visitor)
    : m_impl(std::make_unique<Impl>(path, visitor)) {}

DumpFollower::~DumpFollower() = default;

uint64_t DumpFollower::poll() {
  Impl& f = *m_impl;
  const uint64_t before = f.summary.records;
  try {
    f.source.refresh();
    if (!f.started) f.started = f.stream.readPreamble(f.source);
    // A record cut short at the tail is being written: the next poll reads it whole.
    if (f.started && !f.summary.sawEnd) f.stream.readRecords(f.source, f.summary, {});
  } catch (const DumpError& e) {
    throw DumpError(f.path + ": " + e.what());
  }
  return f.summary.records - before;
}

bool DumpFollower::started() const { return m_impl->started; }

bool DumpFollower::ended() const { return m_impl->summary.sawEnd; }

const ReadSummary& DumpFollower::summary() const { return m_impl->summary; }

}  // namespace slowburn::analyze
