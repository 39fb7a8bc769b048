#include "resolver_probe.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>

#ifndef _WIN32
#include <dlfcn.h>
#include <netdb.h>
#endif

namespace weft::test::resolver_probe {
namespace {

std::mutex mu;
std::condition_variable released;
bool held = false;
std::atomic<bool> inLookup{false};
std::atomic<int> count{0};
std::thread::id thread;

}  // namespace

void hold() {
  std::lock_guard lock(mu);
  held = true;
}

void release() {
  {
    std::lock_guard lock(mu);
    held = false;
  }
  released.notify_all();
}

bool blocked() {
  return inLookup.load();
}

int lookups() {
  return count.load();
}

std::thread::id lastThread() {
  std::lock_guard lock(mu);
  return thread;
}

#ifdef _WIN32
bool supported() {
  return false;
}
#else
bool supported() {
  return true;
}

// Called by the interposed getaddrinfo for kHost.
void lookedUp() {
  std::unique_lock lock(mu);
  thread = std::this_thread::get_id();
  ++count;
  inLookup = true;
  released.wait_for(lock, std::chrono::seconds(5), [] { return !held; });
  inLookup = false;
}
#endif

}  // namespace weft::test::resolver_probe

#ifndef _WIN32
// Every getaddrinfo call of this program (core's resolver thread, Asio's) comes here first;
// the definition in the executable wins over libc's, which RTLD_NEXT finds.
extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                           addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "getaddrinfo"));
  if (node && std::strcmp(node, weft::test::resolver_probe::kHost) == 0) {
    weft::test::resolver_probe::lookedUp();
    node = "127.0.0.1";
  }
  return real(node, service, hints, res);
}
#endif
