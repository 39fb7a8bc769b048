#include "weft/protocols/receive_buffer.hpp"

namespace weft::detail {

namespace {
// After a very long line or message the storage is given back rather than kept for ever.
constexpr size_t kKeepCapacity = 256 * 1024;
}  // namespace

void ReceiveBuffer::append(std::string_view data) {
  if (start_ == store_.size()) {
    // Give back a large block only once a whole message went by without needing it, so a
    // stream of large messages does not re-allocate (and page-fault) it every time.
    if (store_.capacity() > kKeepCapacity && peak_ < store_.capacity() / 4) {
      std::string().swap(store_);
    } else {
      store_.clear();
    }
    start_ = 0;
    peak_ = 0;
  } else if (start_ > 0 && start_ >= store_.size() - start_) {
    // The copy moves at most as many bytes as were consumed since the last compaction.
    copied_ += store_.size() - start_;
    store_.erase(0, start_);
    start_ = 0;
  }
  copied_ += data.size();
  store_.append(data);
  if (store_.size() > peak_) peak_ = store_.size();
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
