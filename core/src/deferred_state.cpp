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

void DeferredState::runSteps(const Self& self) {
  DeferredState& s = *self;
  // Re-entrant calls (a callback adding a step, an inner Deferred resuming us from inside our
  // own loop) leave the work to the loop already running.
  if (s.running_ || s.paused) return;
  s.running_ = true;
  s.owner_ = &self;
  while (!s.paused && s.next_ < s.size_) {
    size_t i = s.next_++;
    if (i < kInlineSteps) {
      // Run in place: a step added meanwhile goes to a later slot (size_ only resets below).
      s.inline_[i](s);
      s.inline_[i].reset();
    } else {
      DeferredStep step = std::move(s.overflow_[i - kInlineSteps]);  // the vector may grow
      step(s);
    }
    if (s.next_ == s.size_) {  // all consumed: later steps start from the inline slots again
      s.next_ = s.size_ = 0;
      s.overflow_.clear();
    }
  }
  s.owner_ = nullptr;
  s.running_ = false;
}

void DeferredState::cancel(const Self& self) {
  DeferredState& s = *self;
  if (!s.called) {
    s.suppressAlreadyCalled_ = true;
    if (s.canceller) s.canceller(self);
    if (!s.called) {
      s.called = true;
      s.fail(Failure(CancelledError()));
      runSteps(self);
    }
  } else if (s.paused) {
    if (auto in = s.inner_.lock()) cancel(in);
  }
}

void DeferredState::pauseOn(const Self& inner) {
  if (inner.get() == this) {
    fail(Failure(std::logic_error("a Deferred's callback returned that same Deferred")));
    return;
  }
  paused = true;
  inner_ = inner;
  // The inner chain owns us until it fires (we only watch it): like Twisted, a chain waiting
  // on a Deferred lives as long as that Deferred's owner. Steps run only inside runSteps,
  // so owner_ is set.
  addStep(inner, [outer = *owner_](DeferredState& in) { resumeFrom(outer, in); });
}

void DeferredState::resumeFrom(const Self& outer, DeferredState& inner) {
  DeferredState& s = *outer;
  if (inner.kind == Kind::Value) {
    s.value.moveFrom(inner.value);
    s.kind = Kind::Value;
  } else if (inner.kind == Kind::Failed) {
    s.fail(std::move(*inner.failure));
  } else {
    s.fail(Failure(std::logic_error("inner Deferred had no result to pass on")));
  }
  // The inner result now belongs to this chain (Twisted leaves None behind).
  inner.failure.reset();
  inner.kind = Kind::Consumed;
  s.paused = false;
  s.inner_.reset();
  runSteps(outer);
}

}  // namespace weft::detail
