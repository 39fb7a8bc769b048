#include "reserved_port.hpp"

#ifdef _WIN32
#include <winsock2.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace weft::harness {

namespace {
#ifdef _WIN32
using NativeSocket = SOCKET;
using AddrLen = int;
constexpr NativeSocket kNoSocket = INVALID_SOCKET;
void closeNative(NativeSocket s) {
  closesocket(s);
}
#else
using NativeSocket = int;
using AddrLen = socklen_t;
constexpr NativeSocket kNoSocket = -1;
void closeNative(NativeSocket s) {
  close(s);
}
#endif
}  // namespace

ReservedPort::ReservedPort() {
#ifdef _WIN32
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return;
  winsockStarted_ = true;  // balanced in the destructor
#endif
  NativeSocket s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s == kNoSocket) return;
  socket_ = static_cast<intptr_t>(s);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  AddrLen len = sizeof sa;
  if (bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len) == 0) {
    port_ = ntohs(sa.sin_port);
  }
}

bool ReservedPort::listenSilently() {
  return ok() && ::listen(static_cast<NativeSocket>(socket_), 16) == 0;
}

ReservedPort::~ReservedPort() {
  if (socket_ != -1) closeNative(static_cast<NativeSocket>(socket_));
#ifdef _WIN32
  if (winsockStarted_) WSACleanup();
#endif
}

}  // namespace weft::harness
