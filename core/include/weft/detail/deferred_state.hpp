// The untyped heart of a Deferred (Twisted's Deferred._runCallbacks): the current result, the
// chain of steps still to run, and the paused/cancelled bookkeeping. Deferred<T> is a typed
// handle onto one of these; every handle of a chain shares it. Not thread-safe, like
// Twisted's: fire and extend a Deferred on one thread (the reactor's).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "weft/detail/inline_function.hpp"
#include "weft/failure.hpp"

namespace weft::detail {

class DeferredState;
// A (callback, errback) pair, type-erased: it reads the state's result and replaces it.
using DeferredStep = InlineFunction<void(DeferredState&), 56>;

class DeferredState : public std::enable_shared_from_this<DeferredState> {
 public:
  enum class Kind : uint8_t { Empty, Value, Failed, Consumed };
  // Steps stored inline in the state; chains longer than this spill to a vector.
  static constexpr size_t kInlineSteps = 4;

  explicit DeferredState(const void* type) : headType(type), tailType(type) {}
  DeferredState(const DeferredState&) = delete;
  DeferredState& operator=(const DeferredState&) = delete;
  // Logs "Unhandled error in Deferred" if the chain ended holding a Failure.
  ~DeferredState();

  // --- firing ---
  // False when a cancelled Deferred is fired by its underlying work: ignored, as in Twisted.
  // Throws AlreadyCalledError on any other second fire.
  bool beginFire();
  void fail(Failure f);
  void runSteps();

  // --- the chain ---
  void addStep(DeferredStep step);
  void cancel();
  // A step's callback returned a Deferred: wait for it, then continue with its result.
  void pauseOn(const std::shared_ptr<DeferredState>& inner);

  // --- the result, for steps ---
  Kind kind = Kind::Empty;
  ValueBox value;
  std::optional<Failure> failure;

  const void* headType;  // what callback() takes
  const void* tailType;  // what the next added step receives
  bool called = false;
  bool paused = false;
  DeferredStep canceller;

 private:
  void resumeFrom(DeferredState& inner);
  DeferredStep takeNextStep();
  bool hasNextStep() const { return next_ < size_; }

  bool running_ = false;
  bool suppressAlreadyCalled_ = false;
  size_t size_ = 0, next_ = 0;
  DeferredStep inline_[kInlineSteps];
  std::vector<DeferredStep> overflow_;
  std::weak_ptr<DeferredState> inner_;  // while paused: cancel() cancels it
};

}  // namespace weft::detail
