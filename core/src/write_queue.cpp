#include "weft/detail/write_queue.hpp"

#include <algorithm>

namespace weft::detail {
namespace {

// Chunks of a fully sent queue go to a small per-thread pool instead of back to malloc. An
// echo server takes and frees one chunk per batch of replies, and chunks bigger than malloc's
// per-thread cache (a 4 KiB reply) went through malloc's bins each time, with a second
// allocation and copy when the line's delimiter was appended: ~2.5% of the server's CPU per
// message. Bounded: kPoolSize chunks of at most kPooledCapacity bytes per thread (256 KiB).
constexpr size_t kPoolSize = 8;
constexpr size_t kPooledCapacity = 32 * 1024;
thread_local std::vector<std::string> tSpareChunks;

std::string newChunk(std::string_view data, size_t coalesceLimit) {
  std::string chunk;
  if (!tSpareChunks.empty() && data.size() <= kPooledCapacity) {
    chunk = std::move(tSpareChunks.back());
    tSpareChunks.pop_back();
  } else if (data.size() < coalesceLimit) {
    // Room for what usually follows (a delimiter, the next reply) without reallocating.
    chunk.reserve(std::min(coalesceLimit, std::max<size_t>(2 * data.size(), 1024)));
  }
  chunk.assign(data);
  return chunk;
}

void releaseChunk(std::string& chunk) {
  if (chunk.capacity() <= kPooledCapacity && tSpareChunks.size() < kPoolSize) {
    chunk.clear();
    tSpareChunks.push_back(std::move(chunk));
  } else {
    std::string().swap(chunk);  // free the memory now, not at compaction
  }
}

}  // namespace

void WriteQueue::append(std::string_view data) {
  if (data.empty()) return;
  bytes_ += data.size();
  if (head_ < chunks_.size() && chunks_.back().size() + data.size() <= kCoalesce) {
    chunks_.back().append(data);
  } else {
    chunks_.push_back(newChunk(data, kCoalesce));
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
    releaseChunk(chunks_[head_]);
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
