// The receive path's building blocks on their own: ByteStorage and copyUnlessContains (every
// length it handles, the stop byte at every position, since its SSE2 steps and overlapping
// tail each have their own edge cases).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "weft/protocols/byte_storage.hpp"
#include "weft/protocols/copy_scan.hpp"

namespace weft::detail {
namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 23);
  return s;
}

TEST(CopyUnlessContains, CopiesEveryLengthWithoutTheStopByte) {
  for (size_t n = 0; n <= kCopyScanMax + 1; ++n) {
    if (!copyScanFits(n)) continue;
    const std::string src = pattern(n);
    std::vector<char> dst(n + 32, '#');
    ASSERT_TRUE(copyUnlessContains(dst.data() + 16, src.data(), n, StopByte('\n'))) << n;
    EXPECT_EQ(std::string(dst.data() + 16, n), src) << n;
    EXPECT_EQ(std::string(dst.data(), 16), std::string(16, '#')) << n;  // nothing outside
    EXPECT_EQ(std::string(dst.data() + 16 + n, 16), std::string(16, '#')) << n;
  }
}

TEST(CopyUnlessContains, FindsTheStopByteAtEveryPosition) {
  for (size_t n = 0; n <= kCopyScanMax + 1; ++n) {
    if (!copyScanFits(n)) continue;
    for (size_t at = 0; at < n; ++at) {
      std::string src = pattern(n);
      src[at] = '\n';
      std::vector<char> dst(n);
      EXPECT_FALSE(copyUnlessContains(dst.data(), src.data(), n, StopByte('\n'))) << n << " " << at;
    }
  }
}

TEST(CopyUnlessContains, HandlesSixteenToTheMaximum) {
#if defined(__SSE2__) || defined(_M_X64)
  EXPECT_FALSE(copyScanFits(15));
  EXPECT_TRUE(copyScanFits(16));
  EXPECT_TRUE(copyScanFits(kCopyScanMax));
  EXPECT_FALSE(copyScanFits(kCopyScanMax + 1));
#else
  EXPECT_FALSE(copyScanFits(64));  // callers fall back to memchr and memcpy
#endif
}

TEST(ByteStorage, AppendsInPlaceAndGrowsGeometrically) {
  ByteStorage s;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.spare(), 0u);
  std::string expected;
  size_t reallocations = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string chunk = pattern(static_cast<size_t>(i % 37) + 1);
    const size_t capacity = s.capacity();
    s.reserveExtra(chunk.size());
    if (s.capacity() != capacity) ++reallocations;
    ASSERT_GE(s.spare(), chunk.size());
    std::memcpy(s.end(), chunk.data(), chunk.size());
    s.commit(chunk.size());
    expected += chunk;
  }
  EXPECT_EQ(std::string(s.data(), s.size()), expected);
  EXPECT_LE(reallocations, 10u);  // 18,000 bytes from a 256-byte start, doubling
}

TEST(ByteStorage, ErasesTheFrontAndResets) {
  ByteStorage s;
  s.reserveExtra(10);
  std::memcpy(s.end(), "0123456789", 10);
  s.commit(10);
  s.eraseFront(4);
  EXPECT_EQ(std::string(s.data(), s.size()), "456789");
  s.eraseFront(6);
  EXPECT_EQ(s.size(), 0u);
  s.clear();
  EXPECT_GT(s.capacity(), 0u);  // clear keeps the memory
  s.reset();
  EXPECT_EQ(s.capacity(), 0u);  // reset gives it back
}

}  // namespace
}  // namespace weft::detail
