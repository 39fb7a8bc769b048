// Child::Native, what identifies a child on each platform: shared by process.cpp (which moves
// and destroys Children) and the platform half that fills it in.
#pragma once

#include "process.hpp"

namespace weft::harness {

#ifdef _WIN32
struct Child::Native {
  void* process = nullptr;  // HANDLE, without <windows.h> here
  void* out = nullptr;      // read end of the child's stdout pipe, or null
  void* in = nullptr;       // write end of the child's stdin pipe, or null
  unsigned long pid = 0;

  Native() = default;
  Native(const Native&) = delete;
  Native& operator=(const Native&) = delete;
  ~Native();  // closes the handles (process_win.cpp)
};
#else
struct Child::Native {
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout pipe, or -1
  int in = -1;   // write end of the child's stdin pipe, or -1
  // The fds are closed by Child::release(), which also reaps the child.
};
#endif

}  // namespace weft::harness
