// Core's WriteQueue on its own: partial sends, coalescing, big chunks kept apart, chunks
// reused from its per-thread pool coming back empty, and replies borrowed from a lent read
// buffer (sent from it while the loan lasts, copied when it ends; delimiters compared exactly).
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

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

std::vector<std::string_view> views(const WriteQueue& q) {
  std::array<std::string_view, 64> parts;
  size_t n = q.gather(parts);
  return {parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST(UnitWriteQueue, RepliesFromTheLentBytesAreViewsOfThem) {
  // Three pipelined lines echoed: each line is a view of the read, and the delimiter (built
  // elsewhere) equals the next lent bytes, so all of it is one view of the read buffer.
  std::string read = "one\r\ntwo\r\nthree\r\n";
  const std::string delimiter = "\r\n";
  WriteQueue q;
  {
    WriteQueue::Loan loan(q, read);
    for (size_t at : {0u, 5u, 10u}) {
      std::string_view line = std::string_view(read).substr(at, read.find('\r', at) - at);
      q.append(line);
      q.append(delimiter);
    }
    auto v = views(q);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].data(), read.data());
    EXPECT_EQ(v[0], read);
    EXPECT_TRUE(q.borrowing());
  }
  EXPECT_FALSE(q.borrowing());
  read.assign(read.size(), '#');  // the read buffer is reused: the queue kept its own copy
  EXPECT_EQ(drain(q, 7), "one\r\ntwo\r\nthree\r\n");
}

TEST(UnitWriteQueue, APrefixEqualToTheLentBytesBeforeAPayloadIsBorrowed) {
  // Length-prefixed frames re-sent: the prefix is built on the stack, the payload is a view.
  const std::string read = std::string("\x03\0\0\0abc\x02\0\0\0de", 13);
  WriteQueue q;
  WriteQueue::Loan loan(q, read);
  const std::string prefix1("\x03\0\0\0", 4), prefix2("\x02\0\0\0", 4);
  q.append(prefix1);
  q.append(std::string_view(read).substr(4, 3));
  q.append(prefix2);
  q.append(std::string_view(read).substr(11, 2));
  auto v = views(q);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].data(), read.data());
  EXPECT_EQ(q.size(), read.size());
}

TEST(UnitWriteQueue, APrefixAndPayloadAppendedTogetherAreOneViewFromTheStart) {
  // What a transport's writeSequence({prefix, payload}) queues: the pair is matched before the
  // prefix is copied anywhere, and a pair that does not match is queued part by part.
  const std::string read = std::string("\x03\0\0\0abc\x02\0\0\0de", 13);
  std::string kept;
  WriteQueue q;
  {
    WriteQueue::Loan loan(q, read);
    const std::string prefix1("\x03\0\0\0", 4), wrong("\x09\0\0\0", 4);
    const std::string_view pair1[] = {prefix1, std::string_view(read).substr(4, 3)};
    q.append(pair1);
    auto v = views(q);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].data(), read.data());
    EXPECT_EQ(v[0].size(), 7u);
    const std::string_view pair2[] = {wrong, std::string_view(read).substr(11, 2)};
    q.append(pair2);
    v = views(q);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_NE(v[1].data(), read.data() + 7);  // the wrong prefix is a copy
    EXPECT_EQ(v[2].data(), read.data() + 11);
    // A payload at the very start of the loan has no lent bytes before it to match.
    const std::string_view pair3[] = {prefix1, std::string_view(read).substr(0, 2)};
    q.append(pair3);
    EXPECT_EQ(q.size(), 7u + 6u + 6u);
  }
  EXPECT_EQ(drain(q, 3), std::string("\x03\0\0\0abc\x09\0\0\0de\x03\0\0\0\x03\0", 19));
}

TEST(UnitWriteQueue, LinesAndDelimitersAppendedTogetherExtendOneView) {
  // What writeSequence({line, delimiter}) queues for each line of a read: after the first, each
  // pair continues the borrowed view at once. A pair that only starts like the lent bytes
  // changes nothing before it is queued the slow way, so the bytes and their order stay right.
  std::string read = "one\ntwo\nthree\nfour\n";
  const std::string lf = "\n", crlf = "\r\n";
  const auto line = [&](size_t at) {
    return std::string_view(read).substr(at, read.find('\n', at) - at);
  };
  WriteQueue q;
  {
    WriteQueue::Loan loan(q, read);
    for (size_t at : {0u, 4u, 8u}) {
      const std::string_view pair[] = {line(at), lf};
      q.append(pair);
    }
    auto v = views(q);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].data(), read.data());
    EXPECT_EQ(v[0].size(), 14u);
    const std::string_view wrongDelimiter[] = {line(14), crlf};  // "four" matches, "\r\n" not
    q.append(wrongDelimiter);
    v = views(q);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].size(), 18u);  // "four" continued the view
    EXPECT_EQ(v[1], crlf);        // the delimiter is a copy
    EXPECT_EQ(q.size(), 20u);
  }
  read.assign(read.size(), '#');
  EXPECT_EQ(drain(q, 3), "one\ntwo\nthree\nfour\r\n");
}

TEST(UnitWriteQueue, OtherBytesAreCopiedAndOrderIsKept) {
  std::string read = "abcdefgh";
  WriteQueue q;
  {
    WriteQueue::Loan loan(q, read);
    q.append("<");                                  // not the bytes before "cd": copied
    q.append(std::string_view(read).substr(2, 2));  // borrowed
    q.append("XY");                                 // not "ef": copied
    q.append(std::string_view(read).substr(0, 2));  // borrowed, not contiguous: own view
    q.append(std::string_view(read).substr(2, 6));  // contiguous with it: the same view
    q.append(std::string(300, 'z'));                // long: never compared, copied
    auto v = views(q);
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[1].data(), read.data() + 2);
    EXPECT_EQ(v[3].data(), read.data());
    EXPECT_EQ(v[3], "abcdefgh");
    q.consume(2);  // part of the first borrowed view is sent before the loan ends
  }
  read.assign(read.size(), '#');
  EXPECT_EQ(drain(q, 5), "dXYabcdefgh" + std::string(300, 'z'));
}

TEST(UnitWriteQueue, DelimitersOfEveryComparedLengthMatchExactly) {
  // Delimiters of 1 to 16 bytes (compared without memcmp, in words that overlap): one equal to
  // the lent bytes after the line is borrowed with it; one that differs only in its first or
  // only in its last byte is copied.
  for (size_t len = 1; len <= 16; ++len) {
    std::string delimiter;
    for (size_t i = 0; i < len; ++i) delimiter += static_cast<char>('A' + i);
    const std::string read = "line" + delimiter;
    for (int differ : {-1, 0, int(len) - 1}) {
      std::string sent = delimiter;
      if (differ >= 0) sent[size_t(differ)] = '?';
      WriteQueue q;
      WriteQueue::Loan loan(q, read);
      q.append(std::string_view(read).substr(0, 4));
      q.append(sent);
      auto v = views(q);
      SCOPED_TRACE("length " + std::to_string(len) + ", differing byte " + std::to_string(differ));
      if (differ < 0) {
        ASSERT_EQ(v.size(), 1u);
        EXPECT_EQ(v[0].data(), read.data());
      } else {
        ASSERT_EQ(v.size(), 2u);
        EXPECT_EQ(v[1], sent);
        EXPECT_NE(v[1].data(), read.data() + 4);
      }
    }
  }
}

TEST(UnitWriteQueue, ALoanOutlivesAClearAndAnEmptyQueue) {
  std::string read = "ping";
  WriteQueue q;
  {
    WriteQueue::Loan loan(q, read);
    q.append(read);
    q.clear();  // an abort while the read is delivered
    EXPECT_FALSE(q.borrowing());
    q.append(read);
    q.consume(4);  // sent in full from the buffer
    EXPECT_TRUE(q.empty());
    q.append(std::string_view(read).substr(1));
  }
  read = "####";
  EXPECT_EQ(drain(q, 1), "ing");
}

TEST(UnitWriteQueue, NothingIsBorrowedWithoutALoan) {
  const std::string read = "data";
  WriteQueue q;
  q.append(read);
  EXPECT_FALSE(q.borrowing());
  EXPECT_NE(views(q)[0].data(), read.data());
}

}  // namespace
}  // namespace weft::detail
