#include "dump/stream_compressor.hpp"

#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_createCCtx_advanced: our own allocator
#include <zstd.h>

#include "slowburn/format.hpp"
#include "support/page_memory.hpp"

namespace slowburn::preload {
namespace {

// Level 3 is zstd's default: a few hundred MB/s, far more than a dump ever needs. A 2 MiB
// window keeps the collector's memory small and is well inside what readers accept.
// Tables of 2^15 entries instead of level 3's 2^17 and 2^16: zstd clears them when the
// first chunk is compressed, which a short-lived process (a forked worker) pays whole;
// on cc1plus's and python3's dumps they cost 1% of the size.
constexpr int kLevel = 3;
constexpr int kWindowLog = 21;
constexpr int kTableLog = 15;
static_assert(kWindowLog <= format::kMaxWindowLog);

// mmap'ed blocks with their size in front, so free knows what to unmap.
constexpr size_t kHeader = 16;

void* allocate(void*, size_t size) {
  auto* block = static_cast<uint8_t*>(mapPages(size + kHeader));
  if (block == nullptr) return nullptr;
  *reinterpret_cast<size_t*>(block) = size + kHeader;
  return block + kHeader;
}

void release(void*, void* address) {
  if (address == nullptr) return;
  uint8_t* block = static_cast<uint8_t*>(address) - kHeader;
  unmapPages(block, *reinterpret_cast<size_t*>(block));
}

ZSTD_CCtx* cctx(void* context) { return static_cast<ZSTD_CCtx*>(context); }

}  // namespace

StreamCompressor::~StreamCompressor() {
  if (m_context != nullptr) ZSTD_freeCCtx(cctx(m_context));
}

bool StreamCompressor::start() {
  ZSTD_CCtx* c = ZSTD_createCCtx_advanced(ZSTD_customMem{allocate, release, nullptr});
  if (c == nullptr) return false;
  if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, kLevel)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, kWindowLog)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_hashLog, kTableLog)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_chainLog, kTableLog))) {
    ZSTD_freeCCtx(c);
    return false;
  }
  m_context = c;
  return true;
}

bool StreamCompressor::compress(const uint8_t* bytes, size_t size, Mode mode, Sink sink,
                                void* context) {
  const ZSTD_EndDirective directive = mode == Mode::Continue ? ZSTD_e_continue
                                      : mode == Mode::Flush  ? ZSTD_e_flush
                                                             : ZSTD_e_end;
  ZSTD_inBuffer in{bytes, size, 0};
  for (;;) {
    ZSTD_outBuffer out{m_piece, sizeof(m_piece), 0};
    const size_t remaining = ZSTD_compressStream2(cctx(m_context), &out, &in, directive);
    if (ZSTD_isError(remaining)) return false;
    if (out.pos != 0 && !sink(context, m_piece, out.pos)) return false;
    // Continue: done once the input is taken; Flush and End: once nothing is left over.
    const bool done = mode == Mode::Continue ? in.pos == in.size : remaining == 0;
    if (done) return true;
  }
}

}  // namespace slowburn::preload
