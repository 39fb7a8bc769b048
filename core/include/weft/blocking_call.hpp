// Waiting on the reactor thread's Deferreds from another thread (Twisted's
// threads.blockingCallFromThread). fn runs on the reactor thread (through callFromThread) and
// may return a value or a Deferred; the std::future gets the result, or the exception of the
// Failure. If the reactor is destroyed first, the future reports std::future_error
// (broken_promise): a caller that must not block past the reactor's stop waits with wait_for.
#pragma once

#include <future>
#include <memory>

#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"
#include "weft/reactor.hpp"

namespace weft {

template <class F>
auto deferredFromThread(Reactor& reactor, F fn) {
  using T = typename detail::MaybeDeferredType<std::invoke_result_t<F&>>::type;
  // Shared: the closure callFromThread takes must be copyable.
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  reactor.callFromThread([promise, fn = std::move(fn)]() mutable {
    maybeDeferred(fn).addBoth([promise](Outcome<T> o) {
      if (!o.ok()) {
        promise->set_exception(o.failure().exception());
      } else if constexpr (std::is_void_v<T>) {
        promise->set_value();
      } else {
        promise->set_value(std::move(o).value());
      }
    });
  });
  return future;
}

// Blocks the calling thread (never the reactor's) until fn's result is there.
template <class F>
auto blockingCallFromThread(Reactor& reactor, F fn) {
  return deferredFromThread(reactor, std::move(fn)).get();
}

}  // namespace weft
