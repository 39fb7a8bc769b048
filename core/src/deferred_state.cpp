#include "weft/detail/deferred_state.hpp"

#include "weft/log.hpp"

namespace weft::detail {

DeferredState::~DeferredState() {
  // Twisted logs this from Deferred.__del__: an error nobody handled must not vanish.
  if (kind == Kind::Failed && failure) {
    log(LogLevel::Error, "Unhandled error in Deferred: " + failure->describe());
  }
}

bool DeferredState::beginFire() {
  if (called) {
    if (suppressAlreadyCalled_) return false;
    throw AlreadyCalledError("Deferred already fired");
  }
  called = true;
  return true;
}

void DeferredState::fail(Failure f) {
  value.reset();
  failure = std::move(f);
  kind = Kind::Failed;
}

void DeferredState::addStep(DeferredStep step) {
  if (size_ < kInlineSteps) {
    inline_[size_] = std::move(step);
  } else {
    overflow_.push_back(std::move(step));
  }
  ++size_;
  if (called) runSteps();
}

DeferredStep DeferredState::takeNextStep() {
  size_t i = next_++;
  DeferredStep s = std::move(i < kInlineSteps ? inline_[i] : overflow_[i - kInlineSteps]);
  if (next_ == size_) {  // all consumed: later steps start from the inline slots again
    next_ = size_ = 0;
    overflow_.clear();
  }
  return s;
}

void DeferredState::runSteps() {
  // Re-entrant calls (a callback adding a step, an inner Deferred resuming us from inside our
  // own loop) leave the work to the loop already running.
  if (running_ || paused) return;
  running_ = true;
  while (!paused && hasNextStep()) {
    DeferredStep step = takeNextStep();
    step(*this);  // steps catch everything the user's code throws
  }
  running_ = false;
}

void DeferredState::cancel() {
  if (!called) {
    suppressAlreadyCalled_ = true;
    auto keep = shared_from_this();  // the canceller may drop the last handle
    if (canceller) canceller(*this);
    if (!called) {
      called = true;
      fail(Failure(CancelledError()));
      runSteps();
    }
  } else if (paused) {
    if (auto in = inner_.lock()) in->cancel();
  }
}

void DeferredState::pauseOn(const std::shared_ptr<DeferredState>& inner) {
  if (inner.get() == this) {
    fail(Failure(std::logic_error("a Deferred's callback returned that same Deferred")));
    return;
  }
  paused = true;
  inner_ = inner;
  // The inner chain owns us until it fires (we only watch it): like Twisted, a chain waiting
  // on a Deferred lives as long as that Deferred's owner.
  inner->addStep([outer = shared_from_this()](DeferredState& in) { outer->resumeFrom(in); });
}

void DeferredState::resumeFrom(DeferredState& inner) {
  if (inner.kind == Kind::Value) {
    value.moveFrom(inner.value);
    kind = Kind::Value;
  } else if (inner.kind == Kind::Failed) {
    fail(std::move(*inner.failure));
  } else {
    fail(Failure(std::logic_error("inner Deferred had no result to pass on")));
  }
  // The inner result now belongs to this chain (Twisted leaves None behind).
  inner.failure.reset();
  inner.kind = Kind::Consumed;
  paused = false;
  inner_.reset();
  runSteps();
}

}  // namespace weft::detail
