// A loopback TCP port that is bound but never listens: connecting to it is refused, and no
// other program can take the port while this holds it. Plain sockets (BSD or Winsock), so
// the check does not trust the reactor under test to set it up.
#pragma once

#include <cstdint>

namespace weft::harness {

class ReservedPort {
 public:
  ReservedPort();
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;
  ~ReservedPort();

  bool ok() const { return port_ != 0; }
  // From now on connecting succeeds (the kernel completes it into the backlog), but nothing is
  // ever accepted or read: a server that never answers. False if listen() failed.
  bool listenSilently();
  uint16_t port() const { return port_; }

 private:
  intptr_t socket_ = -1;  // an int fd, or a Winsock SOCKET
  uint16_t port_ = 0;
  [[maybe_unused]] bool winsockStarted_ = false;  // Windows: WSAStartup succeeded
};

}  // namespace weft::harness
