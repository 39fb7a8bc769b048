// Bytes waiting to be sent: chunks with a read offset, so sending part of the queue never
// re-copies the rest (Twisted #12742). Small writes coalesce into the tail chunk; big ones
// keep their own chunk so gather writes (writev / WSASend) send them without copying again.
//
// While a read is being delivered, the transport lends the queue the bytes it delivers:
// replies that are those very bytes (an echo, a relay, a frame re-sent whole) are kept as
// views into the read buffer instead of copies, and the gather write after the delivery sends
// them straight from there, as a server written directly on the socket would. Whatever is
// still queued when the loan ends is copied then, before the read buffer can be reused.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace weft::detail {

class WriteQueue {
 public:
  bool empty() const { return bytes_ == 0; }
  size_t size() const { return bytes_; }
  void append(std::string_view data);
  // append() of each part in order. A short part followed by lent bytes that are preceded by
  // the same bytes (a frame's length prefix and its payload) is borrowed with them as one view
  // straight away, never copied to be taken back by the next append.
  // Inline: the common case (see extendBorrowedTail) is a few compares, once per reply.
  void append(std::span<const std::string_view> parts) {
    if (!extendBorrowedTail(parts)) appendParts(parts);
  }
  // Views of the first chunks, front first; returns how many were filled.
  size_t gather(std::span<std::string_view> out) const;
  void consume(size_t n);
  void clear();

  // Until endLoan(), `lent` stays valid and unchanged, so appends may refer to it. Replies
  // equal to the lent bytes that follow (or precede) an earlier borrowed reply are borrowed
  // too: a line's delimiter or a frame's length prefix, built elsewhere, is usually the same
  // bytes as in the request, and borrowing it lets the replies of a whole read leave as one
  // buffer.
  void lend(std::string_view lent) { loan_ = lent; }
  // Copies every borrowed byte still queued; the lent bytes may change after this.
  void endLoan();
  bool borrowing() const { return borrowed_ != 0; }

  // Ends the loan however the scope is left.
  class Loan {
   public:
    Loan(WriteQueue& queue, std::string_view lent) : queue_(queue) { queue_.lend(lent); }
    ~Loan() { queue_.endLoan(); }
    Loan(const Loan&) = delete;
    Loan& operator=(const Loan&) = delete;

   private:
    WriteQueue& queue_;
  };

 private:
  // A chunk owns its bytes, or (while a loan lasts) refers to the lent ones.
  struct Chunk {
    std::string owned;
    std::string_view borrowed;
    bool isBorrowed() const { return borrowed.data() != nullptr; }
    std::string_view bytes() const { return isBorrowed() ? borrowed : std::string_view(owned); }
  };
  // Bytes compared to find a reply equal to lent bytes: delimiters and prefixes, not payloads.
  static constexpr size_t kMatchMax = 16;
  static constexpr size_t kCoalesce = 16 * 1024;
  bool borrow(std::string_view data);
  void appendParts(std::span<const std::string_view> parts);
  void appendOwned(std::string_view data);

  // Pointers compared as integers: the bytes compared may lie anywhere, not only in the loan,
  // and relational operators on unrelated pointers are unspecified.
  static std::uintptr_t addr(const char* p) { return reinterpret_cast<std::uintptr_t>(p); }

  // memcmp(a, b, n) == 0 for n <= kMatchMax, call-free: the bytes compared are a delimiter or
  // a length prefix, one per reply, and libc's memcmp cost a call and a size dispatch each.
  static bool sameSmall(const char* a, const char* b, size_t n) {
    const auto same = [&]<class Word>(Word) {
      Word x, y, u, v;
      std::memcpy(&x, a, sizeof x), std::memcpy(&y, b, sizeof y);
      std::memcpy(&u, a + n - sizeof u, sizeof u), std::memcpy(&v, b + n - sizeof v, sizeof v);
      return x == y && u == v;  // two loads that overlap when n < 2 * sizeof(Word)
    };
    if (n >= 8) return same(uint64_t{});
    if (n >= 4) return same(uint32_t{});
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

  // `part` may be queued as the lent bytes at `at` (inside the loan): it is those very bytes,
  // or a short part equal to them (a delimiter or prefix built elsewhere).
  bool isLentAt(const char* at, std::string_view part) const {
    if (part.size() > addr(loan_.data()) + loan_.size() - addr(at)) return false;
    return part.data() == at ||
           (part.size() <= kMatchMax && sameSmall(at, part.data(), part.size()));
  }

  // The common case of a read's second and later replies, in one pass: every part continues
  // the last borrowed chunk. Changes nothing and returns false otherwise.
  bool extendBorrowedTail(std::span<const std::string_view> parts) {
    if (loan_.empty() || head_ >= chunks_.size() || !chunks_.back().isBorrowed()) return false;
    std::string_view& tail = chunks_.back().borrowed;
    const char* end = tail.data() + tail.size();
    if (addr(end) < addr(loan_.data()) || addr(end) > addr(loan_.data()) + loan_.size()) {
      return false;  // a view of an earlier loan: never extended
    }
    const char* at = end;
    for (std::string_view part : parts) {
      if (!isLentAt(at, part)) return false;
      at += part.size();
    }
    tail = std::string_view(tail.data(), tail.size() + size_t(at - end));
    bytes_ += size_t(at - end);
    return true;
  }

  std::vector<Chunk> chunks_;
  size_t head_ = 0;        // first chunk not fully sent
  size_t headOffset_ = 0;  // bytes of chunks_[head_] already sent
  size_t bytes_ = 0;
  std::string_view loan_;
  size_t borrowed_ = 0;         // borrowed chunks queued
  size_t lastOwnedAppend_ = 0;  // size of the last append if it went to the owned tail chunk
};

}  // namespace weft::detail
