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
using Self = std::shared_ptr<DeferredState>;

// The operations that may run steps take the caller's owning pointer (`self`): it keeps the
// state alive while user code runs, and a step that pauses on an inner Deferred hands it to
// that one. (No enable_shared_from_this: its weak count costs two atomic operations a chain.)
class DeferredState {
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
  static void runSteps(const Self& self);

  // --- the chain ---
  template <class F>
  static void addStep(const Self& self, F&& step) {
    DeferredState& s = *self;
    if (s.size_ < kInlineSteps) {
      s.inline_[s.size_].emplace(std::forward<F>(step));
    } else {
      s.overflow_.emplace_back(std::forward<F>(step));
    }
    ++s.size_;
    if (s.called) runSteps(self);
  }
  static void cancel(const Self& self);
  // A step's callback returned a Deferred: wait for it, then continue with its result.
  void pauseOn(const Self& inner);

  // --- the result, for steps ---
  Kind kind = Kind::Empty;
  ValueBox value;
  std::optional<Failure> failure;

  const void* headType;  // what callback() takes
  const void* tailType;  // what the next added step receives
  bool called = false;
  bool paused = false;
  InlineFunction<void(const Self&), 56> canceller;

 private:
  static void resumeFrom(const Self& outer, DeferredState& inner);

  bool running_ = false;
  bool suppressAlreadyCalled_ = false;
  const Self* owner_ = nullptr;  // while runSteps runs: the pointer that keeps us alive
  size_t size_ = 0, next_ = 0;
  DeferredStep inline_[kInlineSteps];
  std::vector<DeferredStep> overflow_;
  std::weak_ptr<DeferredState> inner_;  // while paused: cancel() cancels it
};

}  // namespace weft::detail
