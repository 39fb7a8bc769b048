// Bytes waiting to be sent: chunks with a read offset, so sending part of the queue never
// re-copies the rest (Twisted #12742). Small writes coalesce into the tail chunk; big ones
// keep their own chunk so gather writes (writev / WSASend) send them without copying again.
#pragma once

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
  // Views of the first chunks, front first; returns how many were filled.
  size_t gather(std::span<std::string_view> out) const;
  void consume(size_t n);
  void clear();

 private:
  static constexpr size_t kCoalesce = 16 * 1024;
  std::vector<std::string> chunks_;
  size_t head_ = 0;        // first chunk not fully sent
  size_t headOffset_ = 0;  // bytes of chunks_[head_] already sent
  size_t bytes_ = 0;
};

}  // namespace weft::detail
