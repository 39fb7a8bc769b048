// Failure: an error travelling down a Deferred's errback chain (Twisted's
// twisted.python.failure.Failure). It holds the exception itself (so `trap`/`check` can select
// by type and a handler can rethrow it), the exception's dynamic type name, its message, and
// where it entered the chain. Copying a Failure is cheap: the exception is shared.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>

#include "weft/source_location.hpp"

namespace weft {

class Failure {
 public:
  // From the exception being handled (call inside a catch block), or any exception_ptr.
  explicit Failure(std::exception_ptr e,
                   SourceLocation where = SourceLocation::current());
  // From an exception object: Failure(std::runtime_error("boom")).
  template <class E>
    requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr> &&
             !std::is_same_v<std::decay_t<E>, Failure>)
  explicit Failure(E&& e, SourceLocation where = SourceLocation::current())
      : Failure(std::make_exception_ptr(std::forward<E>(e)), where) {}

  const std::exception_ptr& exception() const { return exception_; }
  // Demangled dynamic type of the exception ("std::runtime_error", "weft::CancelledError").
  std::string typeName() const;
  // what() for a std::exception, "(non-standard exception)" otherwise.
  std::string message() const;
  // Where the failure was raised or entered the chain.
  const SourceLocation& where() const { return where_; }
  // "weft::CancelledError: Deferred was cancelled (at file.cpp:12 in f)".
  std::string describe() const;

  // True if the exception is (derived from) one of Es (Twisted's check).
  template <class... Es>
  bool check() const {
    return (isA<Es>() || ...);
  }
  // Rethrows the exception unless it is one of Es (Twisted's trap). Use in an errback that
  // handles only some errors: the others continue down the chain unchanged.
  template <class... Es>
  void trap() const {
    if (!check<Es...>()) rethrow();
  }
  [[noreturn]] void rethrow() const { std::rethrow_exception(exception_); }

 private:
  template <class E>
  bool isA() const {
    try {
      std::rethrow_exception(exception_);
    } catch (const E&) {
      return true;
    } catch (...) {
      return false;
    }
  }

  std::exception_ptr exception_;
  const std::type_info* type_ = nullptr;  // null for exceptions not derived from std::exception
  SourceLocation where_;
};

// Deferred.cancel() without a canceller that fires it (Twisted's CancelledError).
class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("Deferred was cancelled") {}
  using std::runtime_error::runtime_error;
};

// addTimeout expired (Twisted's TimeoutError from Deferred.addTimeout).
class TimedOutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// callback()/errback() on a Deferred that already fired (Twisted's AlreadyCalledError).
class AlreadyCalledError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// gatherResults / DeferredList(fireOnOneErrback): which input failed first, and how.
class FirstError : public std::runtime_error {
 public:
  FirstError(size_t index, Failure failure);
  size_t index() const { return index_; }
  const Failure& failure() const { return failure_; }

 private:
  size_t index_;
  Failure failure_;
};

}  // namespace weft
