// The byte queue behind every receiver: linear-time buffering (the fix for Twisted #6356-#6358)
// plus Twisted's re-entrancy rule (dataReceived from inside a callback only queues).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "weft/protocols/byte_storage.hpp"
#include "weft/protocols/copy_scan.hpp"

namespace weft {

// Counters that make the cost of buffering observable (tests assert it is linear).
struct ReceiveStats {
  uint64_t bytesCopied = 0;   // bytes copied into the receiver's own storage, compaction included
  uint64_t bytesScanned = 0;  // bytes searched for a delimiter (line receivers only)
  size_t bytesBuffered = 0;   // bytes held right now
};

}  // namespace weft

namespace weft::detail {

// Pending bytes are `stored` (kept from earlier dataReceived calls) followed by `input` (the
// not yet consumed rest of the current call's argument, never copied unless it has to
// outlive the call). Consuming only moves an offset; the storage is compacted when the dead
// prefix is at least as large as the live bytes, so every byte is copied O(1) times.
//
// Views handed to callbacks point into `stored` or into the caller's data. Nothing mutates
// the storage while a callback runs: bytes fed re-entrantly go to `queued` and are appended
// by absorbQueued() after the callback returns, so those views stay valid for the callback.
class ReceiveBuffer {
 public:
  // Marks an outer dataReceived call; on exit (normal or exception) whatever is left of the
  // input and the queue is moved to the storage.
  class Scope {
   public:
    Scope(ReceiveBuffer& buffer, std::string_view data) : buffer_(buffer) {
      buffer_.busy_ = true;
      buffer_.input_ = data;
    }
    ~Scope() {
      buffer_.spill();
      buffer_.absorbQueued();
      buffer_.busy_ = false;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ReceiveBuffer& buffer_;
  };

  bool busy() const { return busy_; }
  // Called instead of a Scope while busy: the bytes are processed after everything pending.
  void queue(std::string_view data) { queued_.append(data); }

  size_t size() const { return storedSize() + input_.size(); }
  bool empty() const { return size() == 0; }
  std::string_view stored() const {
    return std::string_view(store_.data() + start_, store_.size() - start_);
  }
  size_t storedSize() const { return store_.size() - start_; }
  std::string_view input() const { return input_; }
  // Total bytes consumed so far: a stream position that survives compaction.
  uint64_t consumed() const { return consumed_; }
  uint64_t copied() const { return copiedBefore_ + store_.size(); }

  // Outside a Scope (nothing in input or queue): appends all of `data` to the storage and
  // returns true if none of its bytes is `stop`; otherwise appends nothing and returns false.
  // Always inlined, for the callers' fast paths (see appendsInline).
  [[gnu::always_inline]] bool appendUnlessContains(std::string_view data, const StopByte& stop) {
    if (appendsInline(data.size())) {
      // Scans while it copies, into spare capacity: committed only if `stop` is absent.
      if (!copyUnlessContains(store_.end(), data.data(), data.size(), stop)) return false;
      store_.commit(data.size());
      return true;
    }
    return appendUnlessContainsSlow(data, stop);
  }
  // Whether appendUnlessContains of n bytes is call-free: some bytes are stored (so nothing is
  // to be given back), none to compact (see makeRoom), there is room, and copyScanFits(n). A
  // caller that checks it first gets a fast path with no call and so no stack frame.
  bool appendsInline(size_t n) const {
    return start_ < store_.size() - start_ && store_.spare() >= n && copyScanFits(n);
  }

  // Moves the rest of the input into storage (it must outlive the current call).
  void spill() {
    if (!input_.empty()) {
      append(input_);
      input_ = {};
    }
  }

  // After a callback: bytes queued during it go after everything already pending.
  void absorbQueued() {
    if (!queued_.empty()) {
      spill();
      append(queued_);
      queued_.clear();
    }
  }

  // The next n pending bytes (n <= size()) as one contiguous view, consumed. Zero-copy when
  // they lie in the input; otherwise only the missing part of the input is copied.
  std::string_view take(size_t n) {
    consumed_ += n;
    if (start_ == store_.size()) {
      std::string_view v = input_.substr(0, n);
      input_.remove_prefix(n);
      return v;
    }
    size_t have = storedSize();
    if (have < n) {
      append(input_.substr(0, n - have));
      input_.remove_prefix(n - have);
    }
    std::string_view v(store_.data() + start_, n);
    start_ += n;
    return v;
  }

  std::string_view takeAll() {
    if (start_ != store_.size()) spill();
    return take(size());
  }

  // Drops the next n pending bytes (n <= size()).
  void skip(size_t n) {
    consumed_ += n;
    size_t fromStore = n < storedSize() ? n : storedSize();
    start_ += fromStore;
    input_.remove_prefix(n - fromStore);
  }

  // Copies the next n pending bytes (n <= size()) to out without consuming them.
  void peek(size_t n, char* out) const {
    size_t fromStore = n < storedSize() ? n : storedSize();
    if (fromStore != 0) std::memcpy(out, store_.data() + start_, fromStore);
    if (n > fromStore) std::memcpy(out + fromStore, input_.data(), n - fromStore);
  }
  unsigned char front() const {
    return static_cast<unsigned char>(storedSize() ? store_[start_] : input_[0]);
  }

  // Everything pending, including queued bytes, as an owned string; consumes it all.
  std::string release();

 private:
  // Makes room for n more bytes at the end of the storage, first compacting it or giving its
  // memory back when the rules below call for it; returns where the bytes go.
  char* makeRoom(size_t n);
  bool appendUnlessContainsSlow(std::string_view data, const StopByte& stop);
  void append(std::string_view data) {
    std::memcpy(makeRoom(data.size()), data.data(), data.size());
    store_.commit(data.size());
  }

  ByteStorage store_;
  size_t start_ = 0;
  std::string_view input_;
  std::string queued_;
  uint64_t consumed_ = 0;
  // Bytes copied, not counting those in the storage now: every byte in it was copied there, so
  // an append costs no counter update (a long line in small chunks is many appends). Only
  // makeRoom shrinks the storage, and adds what it drops.
  uint64_t copiedBefore_ = 0;
  // Largest storage size since it was last emptied, not counting the current size (sizes only
  // drop at compaction, which records it): max(peak_, store_.size()) is the real peak.
  size_t peak_ = 0;
  bool busy_ = false;
};

}  // namespace weft::detail
