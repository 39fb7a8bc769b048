// Small Deferred constructors (Twisted's defer.succeed, defer.fail, defer.maybeDeferred).
#pragma once

#include <type_traits>
#include <utility>

#include "weft/deferred.hpp"

namespace weft {

// A Deferred that has already fired with `value`.
template <class T>
Deferred<std::decay_t<T>> succeed(T&& value) {
  Deferred<std::decay_t<T>> d;
  d.callback(std::forward<T>(value));
  return d;
}
inline Deferred<void> succeed() {
  Deferred<void> d;
  d.callback();
  return d;
}

// A Deferred that has already failed with `failure`.
template <class T>
Deferred<T> fail(Failure failure) {
  Deferred<T> d;
  d.errback(std::move(failure));
  return d;
}

namespace detail {
template <class R>
struct MaybeDeferredType {
  using type = R;
};
template <class U>
struct MaybeDeferredType<Deferred<U>> {
  using type = U;
};
}  // namespace detail

// Calls f() now and makes whatever happens a Deferred: its value (succeed), the Deferred it
// returned (as is), or what it threw (fail).
template <class F>
auto maybeDeferred(F&& f) {
  using R = std::invoke_result_t<F&>;
  using T = typename detail::MaybeDeferredType<R>::type;
  try {
    if constexpr (detail::kIsDeferred<R>) {
      return f();
    } else if constexpr (std::is_void_v<R>) {
      f();
      return succeed();
    } else {
      return succeed(f());
    }
  } catch (...) {
    return fail<T>(Failure(std::current_exception()));
  }
}

}  // namespace weft
