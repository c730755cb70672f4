#pragma once
// One zstd stream for a dump's records (version 2's CHUNKs): compressed as they are
// written, ended at every flush so the bytes written so far always decompress in full.
// Its memory comes from mmap, never malloc: the collector may run in a copy of the
// program (collect/collector_process.hpp) where malloc's locks may be held.

#include <cstddef>
#include <cstdint>

namespace slowburn::preload {

class StreamCompressor {
 public:
  // Where compressed bytes go, a piece at a time; false stops the compression.
  using Sink = bool (*)(void* context, const uint8_t* bytes, size_t size);
  enum class Mode { Continue, Flush, End };

  StreamCompressor() = default;
  ~StreamCompressor();
  StreamCompressor(const StreamCompressor&) = delete;
  StreamCompressor& operator=(const StreamCompressor&) = delete;

  // False when zstd could not be set up (no memory): the dump is then written unchunked.
  bool start();
  bool started() const { return m_context != nullptr; }

  // Output comes in pieces of at most this many bytes.
  static constexpr size_t kPieceBytes = 32 * 1024;

  // Compresses bytes; Flush also pushes out everything buffered, End ends the frame.
  bool compress(const uint8_t* bytes, size_t size, Mode mode, Sink sink, void* context);

 private:
  void* m_context = nullptr;  // ZSTD_CCtx
  uint8_t m_piece[kPieceBytes];
};

}  // namespace slowburn::preload
