#include "weft/protocols/receive_buffer.hpp"

namespace weft::detail {

namespace {
// After a very long line or message the storage is given back rather than kept for ever.
constexpr size_t kKeepCapacity = 256 * 1024;
}  // namespace

char* ReceiveBuffer::makeRoom(size_t n) {
  if (start_ == store_.size()) {
    // Give back a large block only once a whole message went by without needing it, so a
    // stream of large messages does not re-allocate (and page-fault) it every time.
    const size_t peak = peak_ > store_.size() ? peak_ : store_.size();
    copiedBefore_ += store_.size();
    if (store_.capacity() > kKeepCapacity && peak < store_.capacity() / 4) {
      store_.reset();
    } else {
      store_.clear();
    }
    start_ = 0;
    peak_ = 0;
  } else if (start_ > 0 && start_ >= store_.size() - start_) {
    // The copy moves at most as many bytes as were consumed since the last compaction.
    if (store_.size() > peak_) peak_ = store_.size();
    // copied() grows by the live bytes moved, and the storage shrinks by start_: together
    // that is the old size.
    copiedBefore_ += store_.size();
    store_.eraseFront(start_);
    start_ = 0;
  }
  store_.reserveExtra(n);
  return store_.end();
}

bool ReceiveBuffer::appendUnlessContainsSlow(std::string_view data, const StopByte& stop) {
  if (data.empty()) return true;  // and makeRoom must not compact for nothing
  if (std::memchr(data.data(), stop.byte, data.size())) return false;
  std::memcpy(makeRoom(data.size()), data.data(), data.size());
  store_.commit(data.size());
  return true;
}

std::string ReceiveBuffer::release() {
  std::string out;
  out.reserve(size() + queued_.size());
  out.append(stored()).append(input_).append(queued_);
  consumed_ += out.size();
  // Only the offset moves: a callback may still hold a view into the storage.
  start_ = store_.size();
  input_ = {};
  queued_.clear();
  return out;
}

}  // namespace weft::detail
