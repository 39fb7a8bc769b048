// Memory for Asio operations that are known to be in flight at most a few at a time: the
// associated allocator of a handler hands out one of N fixed slots, and falls back to the heap
// only if all are taken. Asio's own recycling cache lives in one call of io_context::run_one()
// (or run()). iterate() makes such a call per batch, and so did run() when the slots were
// measured: without them every operation was a malloc and a free.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

namespace weft::asio_backend {

template <size_t N, size_t SlotBytes = 256>
class HandlerSlots {
 public:
  void* allocate(size_t n) {
    for (auto& slot : slots_) {
      if (!slot.inUse && n <= slot.bytes.size()) {
        slot.inUse = true;
        return slot.bytes.data();
      }
    }
    return std::allocator<std::max_align_t>().allocate(blocks(n));
  }
  void deallocate(void* p, size_t n) noexcept {
    for (auto& slot : slots_) {
      if (p == slot.bytes.data()) {
        slot.inUse = false;
        return;
      }
    }
    std::allocator<std::max_align_t>().deallocate(static_cast<std::max_align_t*>(p), blocks(n));
  }

 private:
  struct alignas(std::max_align_t) Slot {
    std::array<unsigned char, SlotBytes> bytes;
    bool inUse = false;
  };
  static size_t blocks(size_t n) {
    return (n + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t);
  }
  std::array<Slot, N> slots_;
};

// The allocator a handler exposes (associated_allocator) to use `Slots`, which must outlive
// every operation allocated from it.
template <class T, class Slots>
struct SlotAllocator {
  using value_type = T;
  Slots* slots;
  explicit SlotAllocator(Slots* s) noexcept : slots(s) {}
  template <class U>
  SlotAllocator(const SlotAllocator<U, Slots>& other) noexcept : slots(other.slots) {}
  T* allocate(size_t n) { return static_cast<T*>(slots->allocate(sizeof(T) * n)); }
  void deallocate(T* p, size_t n) noexcept { slots->deallocate(p, sizeof(T) * n); }
  template <class U>
  bool operator==(const SlotAllocator<U, Slots>& other) const noexcept {
    return slots == other.slots;
  }
};

}  // namespace weft::asio_backend
