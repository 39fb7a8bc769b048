// The growable byte array behind ReceiveBuffer. Unlike std::string it lets the caller write
// into the spare capacity and then commit, so a chunk can be scanned and copied in one pass
// (std::string would zero-fill the bytes first, or copy them in a second pass).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace weft::detail {

class ByteStorage {
 public:
  const char* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  size_t spare() const { return capacity_ - size_; }
  char operator[](size_t i) const { return bytes_[i]; }

  // Where the next bytes go; write at most spare() bytes there, then commit() them.
  char* end() { return bytes_.get() + size_; }
  void commit(size_t n) { size_ += n; }

  // Makes spare() >= n, growing geometrically so appends stay amortized O(1) per byte.
  void reserveExtra(size_t n) {
    if (n > spare()) grow(size_ + n);
  }

  // Drops the first n bytes, moving the rest to the front.
  void eraseFront(size_t n) {
    if (n < size_) std::memmove(bytes_.get(), bytes_.get() + n, size_ - n);
    size_ -= n;
  }

  void clear() { size_ = 0; }
  // Clears and gives the memory back.
  void reset() {
    bytes_.reset();
    size_ = capacity_ = 0;
  }

 private:
  void grow(size_t minCapacity);

  std::unique_ptr<char[]> bytes_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace weft::detail
