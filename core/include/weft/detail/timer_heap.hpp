// Binary min-heap of delayed calls ordered by (deadline, sequence): never early, FIFO for
// equal deadlines (Twisted #6718 is not), lazy cancel with compaction when more than half
// of the heap is dead.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "weft/delayed_call.hpp"

namespace weft::detail {

class TimerHeap {
 public:
  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;
  ~TimerHeap();

  DelayedCall schedule(TimePoint when, std::function<void()> fn);
  // Re-insert an entry whose deadline moved (reset/delay).
  void reschedule(const std::shared_ptr<TimerEntry>& e, TimePoint when);
  void noteCancelled();

  // Earliest live deadline, if any.
  std::optional<TimePoint> nextDeadline();
  // Run every call due at `now` that was scheduled before this call began: a callLater(0)
  // made from inside a timer runs on the next iteration, as in Twisted.
  // Returns the number of calls run.
  size_t runDue(TimePoint now);
  size_t liveCount() const { return items_.size() - dead_; }
  bool empty() const { return items_.empty(); }
  // Called when reset()/delay() moved a deadline, so a foreign loop can re-arm its timer.
  void setOnReschedule(std::function<void()> fn) { onReschedule_ = std::move(fn); }
  void clear();

 private:
  struct Item {
    TimePoint when;
    uint64_t seq;
    std::shared_ptr<TimerEntry> entry;
  };
  static bool later(const Item& a, const Item& b) {
    return a.when != b.when ? a.when > b.when : a.seq > b.seq;
  }
  static bool stale(const Item& it) { return it.entry->cancelled || it.entry->seq != it.seq; }
  void push(Item item);
  Item pop();
  void dropStaleTop();
  void maybeCompact();

  std::vector<Item> items_;
  size_t dead_ = 0;  // stale items still in items_
  uint64_t nextSeq_ = 0;
  std::function<void()> onReschedule_;
};

}  // namespace weft::detail
