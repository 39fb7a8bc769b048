// Asking `weft serve` to shut down cleanly, from another process, by PID.
//
// POSIX: SIGTERM, which the reactor's signal handlers turn into a clean stop. Windows has no
// signal one process can send another: console control events reach only processes sharing
// a console (and Wine runs the harness without one), and TerminateProcess is not a clean
// stop. So there `weft serve` creates an event named after its PID (StopRequestWatch) and
// stops its reactor when the event is set; requestStop(pid) sets it.
#pragma once

#include <functional>
#include <memory>

#include "process.hpp"

namespace weft::harness {

// How the request travels, for messages: "SIGTERM" or "stop event".
extern const char* const kStopRequestName;

// False if `pid` cannot be asked (gone; on Windows: not watching for requests).
bool requestStop(ProcessId pid);

// Calls `onStop` (from its own thread) when another process calls requestStop() with our
// PID. A no-op on POSIX, where the reactor's SIGTERM handler does the job.
class StopRequestWatch {
 public:
  explicit StopRequestWatch(std::function<void()> onStop);
  StopRequestWatch(const StopRequestWatch&) = delete;
  StopRequestWatch& operator=(const StopRequestWatch&) = delete;
  ~StopRequestWatch();  // stops watching; onStop is not called afterwards

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace weft::harness
