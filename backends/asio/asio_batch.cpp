#include "asio/asio_batch.hpp"

#include <boost/asio/post.hpp>

namespace weft::asio_backend {

// Its operation lives in the batch's slot, not on the heap: one marker per batch.
struct Batch::Marker {
  Batch* batch;
  void operator()() const {
    batch->markerQueued_ = false;  // first: handlers the owner runs open the next batch
    batch->owner_.batchEnded();
  }
  using allocator_type = SlotAllocator<void, HandlerSlots<1>>;
  allocator_type get_allocator() const noexcept { return allocator_type(&batch->slot_); }
};

void Batch::postMarker() {
  boost::asio::post(io_, Marker{this});
  markerQueued_ = true;
}

}  // namespace weft::asio_backend
