// Copy and scan in one inline pass, for the receive path's fast path: while a long line
// arrives in small chunks, each chunk is scanned for the delimiter's first byte and copied,
// and for small chunks the fixed cost of calling memchr and then memcpy, not the bytes, was
// most of the time.
#pragma once

#include <cstddef>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define WEFT_COPY_SCAN_SSE2 1
#endif

namespace weft::detail {

// A byte to scan for, with the 16 copies the SSE2 compare needs made once (when the delimiter
// is set) instead of on every call: broadcasting it is a chain of four dependent instructions
// in front of the first compare, and on the fast path a call is only ~15 cycles.
// The copies are 16-byte aligned so that loading them never straddles a cache line, which
// would cost every call depending on where the receiver object happens to lie.
struct StopByte {
  explicit StopByte(char c = 0) : byte(c) { std::memset(lanes, c, sizeof lanes); }
  alignas(16) char lanes[16];
  char byte;
};

// Whether copyUnlessContains handles n bytes. Above kCopyScanMax the C library's memchr and
// memcpy (wider vectors) beat one SSE2 pass, and calling them costs little next to the bytes.
constexpr size_t kCopyScanMax = 256;
inline bool copyScanFits(size_t n) {
#ifdef WEFT_COPY_SCAN_SSE2
  return n >= 16 && n <= kCopyScanMax;
#else
  (void)n;
  return false;  // no portable version: callers use memchr and memcpy
#endif
}

// Copies src[0, n) to dst and returns true if none of those bytes is `stop.byte`; otherwise returns
// false, having written some or all of dst[0, n). Only for copyScanFits(n). Call-free and always
// inlined (GCC's size limits would otherwise decide), so a caller's fast path needs no stack
// frame.
[[gnu::always_inline]] inline bool copyUnlessContains(char* dst, const char* src, size_t n,
                                                      const StopByte& stop) {
#ifdef WEFT_COPY_SCAN_SSE2
  const __m128i needle = _mm_load_si128(reinterpret_cast<const __m128i*>(stop.lanes));
  const auto load = [&](size_t at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + at));
  };
  const auto store = [&](size_t at, __m128i v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + at), v);
  };
  // Each vector is stored before it is compared: the contract allows a partial copy, and a
  // compare may then overwrite the loaded register in place. SSE2's compare is destructive, so
  // comparing first costs a register copy per vector, about a tenth of a 64-byte call.
  const auto hit = [&](__m128i v) { return _mm_cmpeq_epi8(v, needle); };
  const auto none = [](__m128i mask) { return _mm_movemask_epi8(mask) == 0; };
  size_t i = 0;
  // 64 bytes a step with one test, laid out so that a chunk of 64 runs straight through (a
  // small chunk costs per call and per branch far more than per byte).
  if (n >= 64) {
    do {
      const __m128i a = load(i), b = load(i + 16), c = load(i + 32), d = load(i + 48);
      store(i, a), store(i + 16, b), store(i + 32, c), store(i + 48, d);
      if (!none(_mm_or_si128(_mm_or_si128(hit(a), hit(b)), _mm_or_si128(hit(c), hit(d))))) {
        return false;
      }
      i += 64;
    } while (n - i >= 64);
    if (i == n) return true;
  }
  for (; n - i >= 16; i += 16) {
    const __m128i v = load(i);
    store(i, v);
    if (!none(hit(v))) return false;
  }
  if (i != n) {
    // The last 16 bytes overlap bytes already done: doing those again is harmless.
    const __m128i v = load(n - 16);
    store(n - 16, v);
    if (!none(hit(v))) return false;
  }
  return true;
#else
  (void)dst, (void)src, (void)n, (void)stop;
  return false;  // never called: copyScanFits is false
#endif
}

}  // namespace weft::detail
