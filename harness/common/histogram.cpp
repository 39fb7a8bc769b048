#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace weft::harness {

int Histogram::bucketOf(uint64_t v) {
  if (v < kLinear) return static_cast<int>(v);
  int msb = 63 - std::countl_zero(v);  // >= 6
  int shift = msb - 5;                 // keep the top 6 bits: [32, 63]
  auto top = static_cast<int>(v >> shift);
  return kLinear + (msb - 6) * kSubBuckets + (top - kSubBuckets);
}

uint64_t Histogram::bucketMid(int index) {
  if (index < kLinear) return static_cast<uint64_t>(index);
  int octave = (index - kLinear) / kSubBuckets;
  int sub = (index - kLinear) % kSubBuckets;
  int shift = octave + 1;
  uint64_t low = static_cast<uint64_t>(kSubBuckets + sub) << shift;
  return low + (uint64_t(1) << shift) / 2;
}

void Histogram::record(uint64_t v) {
  ++counts_[static_cast<size_t>(bucketOf(v))];
  ++count_;
  sum_ += v;
  max_ = std::max(max_, v);
}

void Histogram::merge(const Histogram& o) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  max_ = std::max(max_, o.max_);
}

void Histogram::reset() {
  *this = Histogram{};
}

uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<uint64_t>(std::ceil(q * double(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(bucketMid(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace weft::harness
