// A log-linear latency histogram (HdrHistogram's layout, simplified): exact below 64 ns, then
// 32 linear sub-buckets per power of two, so any recorded value is within ~3% of its bucket.
// Fixed size, no allocation while recording, cheap enough for every message.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace weft::harness {

class Histogram {
 public:
  void record(uint64_t valueNs);
  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
  // The value at quantile q in [0, 1] (bucket midpoint; 0 if empty).
  uint64_t percentile(double q) const;
  // The raw counts, for publishing the histogram itself.
  uint64_t bucketCount(int index) const { return counts_[static_cast<size_t>(index)]; }

  static constexpr int kLinear = 64;
  static constexpr int kSubBuckets = 32;
  static constexpr int kBuckets = kLinear + (64 - 6) * kSubBuckets;
  static int bucketOf(uint64_t v);
  static uint64_t bucketMid(int index);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace weft::harness
