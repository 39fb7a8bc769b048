#include "weft/detail/write_queue.hpp"

namespace weft::detail {

void WriteQueue::append(std::string_view data) {
  if (data.empty()) return;
  bytes_ += data.size();
  if (head_ < chunks_.size() && chunks_.back().size() + data.size() <= kCoalesce) {
    chunks_.back().append(data);
  } else {
    chunks_.emplace_back(data);
  }
}

size_t WriteQueue::gather(std::span<std::string_view> out) const {
  size_t n = 0;
  for (size_t i = head_; i < chunks_.size() && n < out.size(); ++i, ++n) {
    std::string_view c = chunks_[i];
    out[n] = i == head_ ? c.substr(headOffset_) : c;
  }
  return n;
}

void WriteQueue::consume(size_t n) {
  bytes_ -= n;
  while (n > 0) {
    size_t left = chunks_[head_].size() - headOffset_;
    if (n < left) {
      headOffset_ += n;
      return;
    }
    n -= left;
    std::string().swap(chunks_[head_]);  // free the memory now, not at compaction
    ++head_;
    headOffset_ = 0;
  }
  if (head_ == chunks_.size()) {
    chunks_.clear();
    head_ = 0;
  } else if (head_ > 32 && head_ * 2 > chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void WriteQueue::clear() {
  std::vector<std::string>().swap(chunks_);
  head_ = headOffset_ = bytes_ = 0;
}

}  // namespace weft::detail
