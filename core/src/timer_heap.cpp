#include "weft/detail/timer_heap.hpp"

#include <algorithm>

#include "weft/errors.hpp"
#include "weft/log.hpp"

#include <exception>
#include <string>

namespace weft {

bool DelayedCall::active() const {
  return entry_ && !entry_->cancelled && !entry_->called;
}

void DelayedCall::requireActive() const {
  if (!entry_) throw Error(ErrorKind::InvalidArgument, "empty DelayedCall");
  if (entry_->called) throw Error(ErrorKind::AlreadyCalled, "the call already ran");
  if (entry_->cancelled) throw Error(ErrorKind::AlreadyCancelled, "the call was cancelled");
}

void DelayedCall::cancel() {
  requireActive();
  entry_->cancelled = true;
  entry_->fn = nullptr;  // release captures now, not when the heap slot is compacted
  if (entry_->heap) entry_->heap->noteCancelled();
}

void DelayedCall::reset(Duration fromNow) {
  requireActive();
  auto when = Clock::now() + std::chrono::duration_cast<Clock::duration>(fromNow);
  if (entry_->heap) entry_->heap->reschedule(entry_, when);
}

void DelayedCall::delay(Duration by) {
  requireActive();
  auto when = entry_->when + std::chrono::duration_cast<Clock::duration>(by);
  if (entry_->heap) entry_->heap->reschedule(entry_, when);
}

double DelayedCall::getTime() const {
  return entry_ ? toSeconds(entry_->when) : 0.0;
}

namespace detail {

TimerHeap::~TimerHeap() {
  clear();
}

void TimerHeap::clear() {
  // The calls can never run now: release what they capture too, or a capture that holds a
  // handle to its own entry (deferLater's Deferred, whose canceller keeps the DelayedCall)
  // would keep itself alive. Released after the heap is empty, in case releasing runs code.
  std::vector<std::function<void()>> released;
  released.reserve(items_.size());
  for (auto& it : items_) {
    it.entry->heap = nullptr;
    if (it.entry->fn) released.push_back(std::move(it.entry->fn));
    it.entry->fn = nullptr;
  }
  items_.clear();
  dead_ = 0;
}

DelayedCall TimerHeap::schedule(TimePoint when, std::function<void()> fn) {
  auto e = std::make_shared<TimerEntry>();
  e->when = when;
  e->seq = nextSeq_++;
  e->fn = std::move(fn);
  e->heap = this;
  push(Item{when, e->seq, e});
  return DelayedCall(std::move(e));
}

void TimerHeap::reschedule(const std::shared_ptr<TimerEntry>& e, TimePoint when) {
  // The old heap slot goes stale (its seq no longer matches) and is skipped when popped.
  e->when = when;
  e->seq = nextSeq_++;
  ++dead_;
  push(Item{when, e->seq, e});
  maybeCompact();
  if (onReschedule_) onReschedule_();
}

void TimerHeap::noteCancelled() {
  ++dead_;
  maybeCompact();
}

void TimerHeap::push(Item item) {
  items_.push_back(std::move(item));
  std::push_heap(items_.begin(), items_.end(), later);
}

TimerHeap::Item TimerHeap::pop() {
  std::pop_heap(items_.begin(), items_.end(), later);
  Item it = std::move(items_.back());
  items_.pop_back();
  return it;
}

void TimerHeap::dropStaleTop() {
  while (!items_.empty() && stale(items_.front())) {
    pop();
    --dead_;
  }
}

void TimerHeap::maybeCompact() {
  // Twisted's rule: compact once dead entries are many and outnumber live ones.
  if (dead_ <= 50 || dead_ * 2 <= items_.size()) return;
  std::erase_if(items_, [](const Item& it) { return stale(it); });
  std::make_heap(items_.begin(), items_.end(), later);
  dead_ = 0;
}

std::optional<TimePoint> TimerHeap::nextDeadline() {
  dropStaleTop();
  if (items_.empty()) return std::nullopt;
  return items_.front().when;
}

size_t TimerHeap::runDue(TimePoint now) {
  const uint64_t horizon = nextSeq_;
  size_t ran = 0;
  while (!items_.empty()) {
    const Item& top = items_.front();
    if (stale(top)) {
      pop();
      --dead_;
      continue;
    }
    if (top.when > now) break;
    if (top.seq >= horizon) {
      // Scheduled during this pass with a deadline already due (callLater(0) from a timer):
      // it runs next iteration. Everything behind it is later or newer too.
      break;
    }
    Item it = pop();
    it.entry->called = true;
    it.entry->heap = nullptr;
    auto fn = std::move(it.entry->fn);
    ++ran;
    try {
      fn();
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("exception escaped a delayed call: ") + e.what());
    }
  }
  return ran;
}

}  // namespace detail
}  // namespace weft
