// What every platform's Child shares: stdout line buffering on top of readSome(), and the
// ask-wait-kill order of stop(). The platform halves are process_posix.cpp / process_win.cpp.
#include "process.hpp"

#include <utility>

#include "process_native.hpp"

namespace weft::harness {

namespace {
using Clock = std::chrono::steady_clock;

Seconds left(Clock::time_point deadline) {
  auto d = std::chrono::duration_cast<Seconds>(deadline - Clock::now());
  return d.count() < 0 ? Seconds(0) : d;
}
}  // namespace

Child::Child() = default;

Child::Child(std::unique_ptr<Native> n) : n_(std::move(n)) {}

Child Child::failed(std::string why) {
  Child c;
  c.spawnError_ = std::move(why);
  return c;
}

Child::Child(Child&& o) noexcept {
  *this = std::move(o);
}

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    release();
    n_ = std::move(o.n_);
    pending_ = std::move(o.pending_);
    status_ = std::exchange(o.status_, std::nullopt);
    spawnError_ = std::move(o.spawnError_);
  }
  return *this;
}

Child::~Child() {
  release();
}

ProcessId Child::pid() const {
  return n_ ? static_cast<ProcessId>(n_->pid) : 0;
}

std::optional<std::string> Child::readLine(Seconds timeout) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
  for (;;) {
    size_t nl = pending_.find('\n');
    if (nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      // A Windows child's stdout is in text mode: its "\n" arrives as "\r\n".
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (readSome(left(deadline)) <= 0) return std::nullopt;
  }
}

std::string Child::readAll(Seconds timeout) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
  while (readSome(left(deadline)) > 0) {
  }
  return std::exchange(pending_, {});
}

int Child::stop(Seconds grace) {
  if (requestStop()) {
    if (auto st = wait(grace)) return *st;
  }
  kill();
  return wait(Seconds(10)).value_or(kUnknownStatus);
}

}  // namespace weft::harness
