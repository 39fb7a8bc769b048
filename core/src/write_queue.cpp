#include "weft/detail/write_queue.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

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
  if (!loan_.empty() && borrow(data)) return;
  appendOwned(data);
}

void WriteQueue::appendParts(std::span<const std::string_view> parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view head = parts[i];
    if (i + 1 < parts.size() && !loan_.empty() && !head.empty() && head.size() <= kMatchMax) {
      std::string_view body = parts[i + 1];
      const char* lo = loan_.data();
      if (!body.empty() && addr(body.data()) >= addr(lo) + head.size() &&
          addr(body.data()) + body.size() <= addr(lo) + loan_.size() &&
          sameSmall(body.data() - head.size(), head.data(), head.size()) &&
          borrow(std::string_view(body.data() - head.size(), head.size() + body.size()))) {
        ++i;
        continue;
      }
    }
    append(head);
  }
}

void WriteQueue::appendOwned(std::string_view data) {
  bytes_ += data.size();
  lastOwnedAppend_ = data.size() <= kMatchMax ? data.size() : 0;
  if (head_ < chunks_.size() && !chunks_.back().isBorrowed() &&
      chunks_.back().owned.size() + data.size() <= kCoalesce) {
    chunks_.back().owned.append(data);
  } else {
    chunks_.push_back(Chunk{newChunk(data, kCoalesce), {}});
  }
}

bool WriteQueue::borrow(std::string_view data) {
  const std::uintptr_t lo = addr(loan_.data()), hi = lo + loan_.size();
  Chunk* last = head_ < chunks_.size() ? &chunks_.back() : nullptr;
  const char* start = nullptr;
  if (addr(data.data()) >= lo && addr(data.data()) + data.size() <= hi) {
    start = data.data();
  } else if (data.size() <= kMatchMax && last && last->isBorrowed()) {
    // The same bytes as the lent ones right after the previous borrowed reply: a delimiter.
    const char* end = last->borrowed.data() + last->borrowed.size();
    if (!isLentAt(end, data)) return false;
    start = end;
  } else {
    return false;
  }
  size_t n = data.size();
  // The owned reply just appended, if the same bytes as the lent ones right before these (a
  // frame's length prefix), is taken back and borrowed with them: one view for both.
  if (const size_t k = lastOwnedAppend_;
      k != 0 && last && !last->isBorrowed() && k <= addr(start) - lo &&
      sameSmall(start - k, last->owned.data() + last->owned.size() - k, k) &&
      (head_ + 1 < chunks_.size() || headOffset_ + k <= last->owned.size())) {
    last->owned.resize(last->owned.size() - k);
    bytes_ -= k;
    start -= k;
    n += k;
    if (last->owned.empty()) {
      releaseChunk(last->owned);
      chunks_.pop_back();
      last = head_ < chunks_.size() ? &chunks_.back() : nullptr;
    }
  }
  lastOwnedAppend_ = 0;
  bytes_ += n;
  if (last && last->isBorrowed() && last->borrowed.data() + last->borrowed.size() == start) {
    last->borrowed = std::string_view(last->borrowed.data(), last->borrowed.size() + n);
  } else {
    chunks_.push_back(Chunk{{}, std::string_view(start, n)});
    ++borrowed_;
  }
  return true;
}

void WriteQueue::endLoan() {
  loan_ = {};
  lastOwnedAppend_ = 0;
  if (borrowed_ == 0) return;
  for (size_t i = head_; i < chunks_.size(); ++i) {
    Chunk& c = chunks_[i];
    if (!c.isBorrowed()) continue;
    std::string_view rest = c.borrowed;
    if (i == head_) {
      rest.remove_prefix(headOffset_);
      headOffset_ = 0;
    }
    c.owned = newChunk(rest, kCoalesce);
    c.borrowed = {};
  }
  borrowed_ = 0;
}

size_t WriteQueue::gather(std::span<std::string_view> out) const {
  size_t n = 0;
  for (size_t i = head_; i < chunks_.size() && n < out.size(); ++i, ++n) {
    std::string_view c = chunks_[i].bytes();
    out[n] = i == head_ ? c.substr(headOffset_) : c;
  }
  return n;
}

void WriteQueue::consume(size_t n) {
  bytes_ -= n;
  while (n > 0) {
    Chunk& c = chunks_[head_];
    size_t left = c.bytes().size() - headOffset_;
    if (n < left) {
      headOffset_ += n;
      return;
    }
    n -= left;
    if (c.isBorrowed()) {
      c.borrowed = {};
      --borrowed_;
    } else {
      releaseChunk(c.owned);
    }
    ++head_;
    headOffset_ = 0;
  }
  if (head_ == chunks_.size()) {
    chunks_.clear();
    head_ = 0;
    lastOwnedAppend_ = 0;
  } else if (head_ > 32 && head_ * 2 > chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void WriteQueue::clear() {
  std::vector<Chunk>().swap(chunks_);
  head_ = headOffset_ = bytes_ = borrowed_ = lastOwnedAppend_ = 0;
}

}  // namespace weft::detail
