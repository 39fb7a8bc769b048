#include "alloc_counter.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local long tLive = 0;

void* allocate(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (!p) throw std::bad_alloc();
  ++tLive;
  return p;
}

void release(void* p) noexcept {
  if (!p) return;
  --tLive;
  std::free(p);
}
}  // namespace

namespace weft::test {
long liveAllocationsOnThisThread() {
  return tLive;
}
}  // namespace weft::test

// The replaceable forms the library routes through (the nothrow and sized ones call these in
// libstdc++, but are replaced too so no pairing depends on that). Aligned forms stay the
// library's own: they pair with each other and are not counted.
void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
