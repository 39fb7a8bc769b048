// Shared by the libFuzzer targets. Input layout: byte 0 picks the parser's configuration,
// byte 1 seeds the chunking, the rest is the byte stream. Each target feeds the stream once
// whole and once in pseudo-random chunks and aborts if the messages differ: every split of
// a stream must yield the same messages (plus ASan/UBSan/LSan on everything).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "weft/protocol.hpp"

namespace weft::fuzz {

struct Input {
  uint8_t config = 0;
  uint8_t seed = 0;
  std::string_view stream;
};

inline bool parse(const uint8_t* data, size_t size, Input& in) {
  if (size < 2) return false;
  in.config = data[0];
  in.seed = data[1];
  in.stream = std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2);
  return true;
}

// Chunk sizes 0..16 (empty chunks included) from a small xorshift generator, and one in eight
// 16..271 (the line receivers take 16..256 on an inline fast path).
template <class Feed>
void feedChunked(std::string_view stream, uint8_t seed, Feed&& feed) {
  uint32_t x = 0x9e3779b9u ^ seed;
  size_t pos = 0;
  while (pos < stream.size()) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    size_t n = (x >> 29) == 0 ? 16 + (x >> 8) % 256 : x % 17;
    if (n > stream.size() - pos) n = stream.size() - pos;
    feed(stream.substr(pos, n));
    pos += n;
  }
}

[[noreturn]] inline void mismatch(const char* what) {
  std::fprintf(stderr, "split mismatch: %s\n", what);
  std::abort();
}

}  // namespace weft::fuzz
