// Core's WriteQueue on its own: partial sends, coalescing, big chunks kept apart, and chunks
// reused from its per-thread pool coming back empty.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "weft/detail/write_queue.hpp"

namespace weft::detail {
namespace {

std::string drain(WriteQueue& q, size_t step) {
  std::string out;
  while (!q.empty()) {
    std::array<std::string_view, 4> parts;
    size_t n = q.gather(parts);
    size_t take = 0;
    for (size_t i = 0; i < n && take < step; ++i) {
      size_t k = std::min(step - take, parts[i].size());
      out.append(parts[i].substr(0, k));
      take += k;
    }
    q.consume(take);
  }
  return out;
}

TEST(UnitWriteQueue, PartialSendsKeepOrderAndBytes) {
  WriteQueue q;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    std::string piece(static_cast<size_t>(i * 37 % 5000), static_cast<char>('a' + i % 26));
    q.append(piece);
    expected += piece;
  }
  q.append(std::string(100000, 'B'));  // bigger than a coalesced chunk
  expected += std::string(100000, 'B');
  EXPECT_EQ(q.size(), expected.size());
  EXPECT_EQ(drain(q, 3001), expected);
  EXPECT_EQ(q.size(), 0u);
}

TEST(UnitWriteQueue, ReusedChunksStartEmpty) {
  // Each round frees its chunks into the pool and the next round takes them back: what a
  // round sends must be exactly what it queued, never a previous round's bytes.
  for (int round = 0; round < 20; ++round) {
    WriteQueue q;
    std::string expected;
    for (int k = 0; k < 3; ++k) {
      std::string line(static_cast<size_t>(100 + round * 300 + k), static_cast<char>('a' + round));
      q.append(line);
      q.append("\n");
      expected += line + "\n";
    }
    EXPECT_EQ(drain(q, 1 << 20), expected) << "round " << round;
  }
}

TEST(UnitWriteQueue, ClearDropsEverything) {
  WriteQueue q;
  q.append("hello");
  q.append(std::string(70000, 'x'));
  q.clear();
  EXPECT_TRUE(q.empty());
  q.append("again");
  EXPECT_EQ(drain(q, 2), "again");
}

}  // namespace
}  // namespace weft::detail
