#include "weft/protocols/byte_storage.hpp"

#include <algorithm>

namespace weft::detail {

void ByteStorage::grow(size_t minCapacity) {
  // Doubling keeps the total copy cost of growth below the bytes appended; the floor avoids a
  // run of tiny reallocations for the first chunks.
  constexpr size_t kMinCapacity = 256;
  const size_t capacity = std::max({minCapacity, 2 * capacity_, kMinCapacity});
  // Not value-initialized: every byte below size_ is written before it is read.
  auto bytes = std::make_unique_for_overwrite<char[]>(capacity);
  if (size_ != 0) std::memcpy(bytes.get(), bytes_.get(), size_);
  bytes_ = std::move(bytes);
  capacity_ = capacity;
}

}  // namespace weft::detail
