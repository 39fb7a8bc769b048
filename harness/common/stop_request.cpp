#include "stop_request.hpp"

#ifdef _WIN32
#include <windows.h>

#include <string>
#include <thread>
#else
#include <signal.h>
#endif

namespace weft::harness {

#ifdef _WIN32

const char* const kStopRequestName = "stop event";

namespace {
std::string eventName(ProcessId pid) {
  return "weft-stop-" + std::to_string(pid);
}
}  // namespace

bool requestStop(ProcessId pid) {
  HANDLE ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, eventName(pid).c_str());
  if (!ev) return false;
  BOOL ok = SetEvent(ev);
  CloseHandle(ev);
  return ok;
}

struct StopRequestWatch::State {
  HANDLE request = nullptr;  // named: set by requestStop()
  HANDLE quit = nullptr;     // unnamed: set by our destructor
  std::thread waiter;
};

StopRequestWatch::StopRequestWatch(std::function<void()> onStop)
    : state_(std::make_unique<State>()) {
  state_->request = CreateEventA(nullptr, TRUE, FALSE, eventName(GetCurrentProcessId()).c_str());
  state_->quit = CreateEventA(nullptr, TRUE, FALSE, nullptr);
  if (!state_->request || !state_->quit) return;  // then only Ctrl-C or termination stop us
  state_->waiter = std::thread([s = state_.get(), onStop = std::move(onStop)] {
    HANDLE both[2] = {s->request, s->quit};
    if (WaitForMultipleObjects(2, both, FALSE, INFINITE) == WAIT_OBJECT_0) onStop();
  });
}

StopRequestWatch::~StopRequestWatch() {
  if (state_->waiter.joinable()) {
    SetEvent(state_->quit);
    state_->waiter.join();
  }
  if (state_->request) CloseHandle(state_->request);
  if (state_->quit) CloseHandle(state_->quit);
}

#else

const char* const kStopRequestName = "SIGTERM";

bool requestStop(ProcessId pid) {
  return pid > 0 && ::kill(pid, SIGTERM) == 0;
}

struct StopRequestWatch::State {};

StopRequestWatch::StopRequestWatch(std::function<void()>) {}

StopRequestWatch::~StopRequestWatch() = default;

#endif

}  // namespace weft::harness
