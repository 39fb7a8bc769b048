// Waiting on the reactor thread's Deferreds from another thread (Twisted's
// threads.blockingCallFromThread). fn runs on the reactor thread (through callFromThread) and
// may return a value or a Deferred; the ThreadResult gets the result, or the exception of the
// Failure. If the reactor is destroyed first, get() throws std::future_error
// (broken_promise): a caller that must not block past the reactor's stop waits with wait_for.
#pragma once

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"
#include "weft/reactor.hpp"

namespace weft {

// What deferredFromThread returns: the waiting side of one result (std::future's wait_for and
// get). The reactor thread puts the result in under a mutex and keeps no reference to it; get()
// moves it out, so the waiting thread alone owns (and frees) the value or exception. (With
// std::promise both threads release the exception, through libstdc++'s uninstrumented count:
// ThreadSanitizer reports that as a race.)
template <class T>
class ThreadResult {
 public:
  struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Outcome<T>> result;
    bool abandoned = false;  // the reactor dropped the work without a result
    ~Slot() = default;
  };
  explicit ThreadResult(std::shared_ptr<Slot> s) : slot_(std::move(s)) {}

  template <class Rep, class Period>
  std::future_status wait_for(std::chrono::duration<Rep, Period> d) {
    std::unique_lock lock(slot_->mu);
    bool ready = slot_->cv.wait_for(lock, d, [&] { return slot_->result || slot_->abandoned; });
    return ready ? std::future_status::ready : std::future_status::timeout;
  }
  // Blocks until the result is there; throws what the Deferred failed with, or
  // std::future_error(broken_promise) if the reactor dropped the work unfinished.
  detail::Stored<T> get() {
    std::optional<Outcome<T>> out;
    {
      std::unique_lock lock(slot_->mu);
      slot_->cv.wait(lock, [&] { return slot_->result || slot_->abandoned; });
      if (!slot_->result) throw std::future_error(std::future_errc::broken_promise);
      out = std::move(slot_->result);
      slot_->result.reset();
    }
    if (!out->ok()) {
      std::exception_ptr e = out->failure().exception();
      out.reset();
      std::rethrow_exception(std::move(e));
    }
    return std::move(*out).value();
  }

 private:
  std::shared_ptr<Slot> slot_;
};

namespace detail {
// The reactor side's handle on a ThreadResult's slot: reports `abandoned` if dropped unfilled.
template <class T>
struct ThreadResultWriter {
  std::shared_ptr<typename ThreadResult<T>::Slot> slot;
  bool done = false;
  void put(Outcome<T> o) {
    {
      std::lock_guard lock(slot->mu);
      slot->result.emplace(std::move(o));
    }
    done = true;
    slot->cv.notify_all();
  }
  ~ThreadResultWriter() {
    if (done || !slot) return;
    {
      std::lock_guard lock(slot->mu);
      slot->abandoned = true;
    }
    slot->cv.notify_all();
  }
};
}  // namespace detail

// Runs fn() on the reactor thread; the result of the Deferred it returns (or its value) comes
// back to this thread.
template <class F>
auto deferredFromThread(Reactor& reactor, F fn) {
  using T = typename detail::MaybeDeferredType<std::invoke_result_t<F&>>::type;
  using Slot = typename ThreadResult<T>::Slot;
  auto slot = std::make_shared<Slot>();
  // Shared: the closure callFromThread takes must be copyable.
  auto writer = std::make_shared<detail::ThreadResultWriter<T>>();
  writer->slot = slot;
  reactor.callFromThread([writer, fn = std::move(fn)]() mutable {
    maybeDeferred(fn).addBoth([writer](Outcome<T> o) { writer->put(std::move(o)); });
  });
  return ThreadResult<T>(std::move(slot));
}

// Blocks the calling thread (never the reactor's) until fn's result is there.
template <class F>
auto blockingCallFromThread(Reactor& reactor, F fn) {
  return deferredFromThread(reactor, std::move(fn)).get();
}

}  // namespace weft
