// A stand-in for the system resolver, for the test that checks host names are resolved off
// the loop thread. The test binary interposes getaddrinfo (POSIX): a lookup of kHost answers
// 127.0.0.1, records the thread it ran on, and, while the probe is held, blocks until it is
// released, so a test can watch the loop keep running meanwhile. Other names go to the system.
#pragma once

#include <thread>

namespace weft::test::resolver_probe {

inline constexpr const char* kHost = "weft-resolver-probe.test";

// False where getaddrinfo cannot be interposed (Windows).
bool supported();
// Lookups of kHost block from now on until release() (each at most 5 s, so a lookup made on
// the loop thread cannot hang the test).
void hold();
void release();
// A lookup of kHost is blocked in the probe right now.
bool blocked();
// How many lookups of kHost ran, and the thread of the last one.
int lookups();
std::thread::id lastThread();

}  // namespace weft::test::resolver_probe
