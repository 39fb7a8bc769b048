// Waiting on many Deferreds (Twisted's defer.DeferredList and defer.gatherResults).
//
// Each input's value moves into the combined result; the input chain continues as a
// Deferred<void> (its T-typed handles can no longer add steps). A failed input keeps its
// Failure, so it is logged as unhandled, unless consumeErrors is set.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "weft/deferred.hpp"
#include "weft/source_location.hpp"

namespace weft {

struct DeferredListOptions {
  bool fireOnOneCallback = false;  // fire with the first success (result.firedBy)
  bool fireOnOneErrback = false;   // fail with FirstError on the first failure
  bool consumeErrors = false;      // the inputs' failures count as handled
};

template <class T>
struct DeferredListResult {
  // Every input's outcome, in input order; an input that had not fired when the list fired
  // (fireOnOneCallback) is empty.
  std::vector<std::optional<Outcome<T>>> results;
  // fireOnOneCallback: the index of the success that fired the list.
  std::optional<size_t> firedBy;
};

template <class T>
Deferred<DeferredListResult<T>> DeferredList(
    std::vector<Deferred<T>> inputs, DeferredListOptions options = {},
    SourceLocation where = SourceLocation::current()) {
  struct Shared {
    DeferredListResult<T> result;
    size_t remaining = 0;
    bool fired = false;
    Deferred<DeferredListResult<T>> out;
  };
  auto shared = std::make_shared<Shared>();
  shared->result.results.resize(inputs.size());
  shared->remaining = inputs.size();
  Deferred<DeferredListResult<T>> out = shared->out;
  if (inputs.empty() && !options.fireOnOneCallback) out.callback(DeferredListResult<T>{});
  for (size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].addBoth([shared, i, options, where](Outcome<T> o) -> Outcome<void> {
      Outcome<void> passOn = Unit{};
      if (!o.ok() && !options.consumeErrors) passOn = o.failure();
      if (shared->fired) return passOn;
      bool ok = o.ok();
      std::optional<Failure> failure;
      if (!ok) failure = o.failure();
      shared->result.results[i] = std::move(o);
      --shared->remaining;
      if (ok && options.fireOnOneCallback) {
        shared->fired = true;
        shared->result.firedBy = i;
        shared->out.callback(std::move(shared->result));
      } else if (!ok && options.fireOnOneErrback) {
        shared->fired = true;
        shared->out.errback(Failure(FirstError(i, *failure), where));
      } else if (shared->remaining == 0 && !options.fireOnOneCallback) {
        shared->fired = true;
        shared->out.callback(std::move(shared->result));
      }
      return passOn;
    });
  }
  return out;
}

// All the values, in input order, once every input succeeded; FirstError (with the index) as
// soon as one fails. Twisted's gatherResults(ds, consumeErrors).
template <class T>
Deferred<std::vector<detail::Stored<T>>> gatherResults(
    std::vector<Deferred<T>> inputs, bool consumeErrors = false,
    SourceLocation where = SourceLocation::current()) {
  struct Shared {
    std::vector<std::optional<detail::Stored<T>>> values;
    size_t remaining = 0;
    bool fired = false;
    Deferred<std::vector<detail::Stored<T>>> out;
  };
  auto shared = std::make_shared<Shared>();
  shared->values.resize(inputs.size());
  shared->remaining = inputs.size();
  Deferred<std::vector<detail::Stored<T>>> out = shared->out;
  auto finish = [](Shared& s) {
    std::vector<detail::Stored<T>> values;
    values.reserve(s.values.size());
    for (auto& v : s.values) values.push_back(std::move(*v));
    s.fired = true;
    s.out.callback(std::move(values));
  };
  if (inputs.empty()) finish(*shared);
  for (size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].addBoth([shared, i, consumeErrors, where, finish](Outcome<T> o) -> Outcome<void> {
      Outcome<void> passOn = Unit{};
      if (!o.ok() && !consumeErrors) passOn = o.failure();
      if (shared->fired) return passOn;
      if (!o.ok()) {
        shared->fired = true;
        shared->out.errback(Failure(FirstError(i, o.failure()), where));
        return passOn;
      }
      shared->values[i] = std::move(o).value();
      if (--shared->remaining == 0) finish(*shared);
      return passOn;
    });
  }
  return out;
}

}  // namespace weft
