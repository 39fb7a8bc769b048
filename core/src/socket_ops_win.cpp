// Winsock implementation of the socket layer (POSIX: socket_ops.cpp). Sockets travel as ints
// (see socket_ops.hpp); WSAE* error codes are mapped to the errno names core compares with.
#include <windows.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>

#include "socket_ops.hpp"

namespace weft::sockets {
namespace {

SOCKET toSocket(int fd) {
  return static_cast<SOCKET>(static_cast<intptr_t>(fd));
}
// INVALID_SOCKET (all bits set) becomes -1.
int fromSocket(SOCKET s) {
  return static_cast<int>(static_cast<intptr_t>(s));
}

// Winsock must be started before any socket call, including getaddrinfo and inet_pton. Every
// entry point that creates sockets or resolves names calls this; the static below covers
// anything that runs before them (e.g. Address::parse in a static initializer).
void startup() {
  static std::once_flag once;
  std::call_once(once, [] {
    WSADATA data;
    ::WSAStartup(MAKEWORD(2, 2), &data);
  });
}
[[maybe_unused]] const bool gStarted = (startup(), true);

struct ErrnoName {
  int wsa;
  int err;
  const char* text;
};
// The socket errors weft meets, with the texts MSVCRT's strerror() does not have.
constexpr std::array<ErrnoName, 27> kErrors{{
    {WSAEWOULDBLOCK, EWOULDBLOCK, "Resource temporarily unavailable"},
    {WSAEINPROGRESS, EINPROGRESS, "Operation now in progress"},
    {WSAEALREADY, EALREADY, "Operation already in progress"},
    {WSAECONNREFUSED, ECONNREFUSED, "Connection refused"},
    {WSAECONNRESET, ECONNRESET, "Connection reset by peer"},
    {WSAECONNABORTED, ECONNABORTED, "Software caused connection abort"},
    {WSAENETRESET, ENETRESET, "Network dropped connection on reset"},
    {WSAETIMEDOUT, ETIMEDOUT, "Connection timed out"},
    {WSAEMFILE, EMFILE, "Too many open files"},
    {WSAENOBUFS, ENOBUFS, "No buffer space available"},
    {WSAEADDRINUSE, EADDRINUSE, "Address already in use"},
    {WSAEADDRNOTAVAIL, EADDRNOTAVAIL, "Cannot assign requested address"},
    {WSAEAFNOSUPPORT, EAFNOSUPPORT, "Address family not supported by protocol"},
    {WSAENOTCONN, ENOTCONN, "Transport endpoint is not connected"},
    {WSAEISCONN, EISCONN, "Transport endpoint is already connected"},
    {WSAESHUTDOWN, EPIPE, "Broken pipe"},
    {WSAEINTR, EINTR, "Interrupted system call"},
    {WSAENETDOWN, ENETDOWN, "Network is down"},
    {WSAENETUNREACH, ENETUNREACH, "Network is unreachable"},
    {WSAEHOSTUNREACH, EHOSTUNREACH, "No route to host"},
    {WSAENOTSOCK, ENOTSOCK, "Socket operation on non-socket"},
    {WSAEBADF, EBADF, "Bad file descriptor"},
    {WSAEINVAL, EINVAL, "Invalid argument"},
    {WSAEACCES, EACCES, "Permission denied"},
    {WSAEMSGSIZE, EMSGSIZE, "Message too long"},
    {WSAENOPROTOOPT, ENOPROTOOPT, "Protocol not available"},
    {WSAEOPNOTSUPP, EOPNOTSUPP, "Operation not supported"},
}};

int mapWsa(int wsa) {
  for (const auto& e : kErrors)
    if (e.wsa == wsa) return e.err;
  return wsa;  // WSAE* codes (10000+) never collide with errno values
}

int failed() {
  int err = mapWsa(::WSAGetLastError());
  errno = err;  // so code that reads errno after a failed call sees the same value
  return -1;
}

void setNonBlocking(SOCKET s) {
  u_long on = 1;
  ::ioctlsocket(s, FIONBIO, &on);
}

}  // namespace

int lastError() {
  return mapWsa(::WSAGetLastError());
}

bool wouldBlock(int err) {
  return err == EWOULDBLOCK || err == EAGAIN || err == EINTR;
}

std::string errorString(int err) {
  for (const auto& e : kErrors)
    if (e.err == err) return e.text;
  if (err >= WSABASEERR) {
    char buf[256] = {};
    DWORD n = ::FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                               static_cast<DWORD>(err), 0, buf, sizeof buf, nullptr);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == '.')) buf[--n] = 0;
    if (n > 0) return buf;
    return "Winsock error " + std::to_string(err);
  }
  return std::strerror(err);
}

int openTcpSocket(int family) {
  startup();
  // Not inherited by child processes (the POSIX build's SOCK_CLOEXEC).
  SOCKET s = ::WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return failed();
  setNonBlocking(s);
  return fromSocket(s);
}

void closeSocket(int fd) {
  ::closesocket(toSocket(fd));
}

void setBoolOption(int fd, int level, int option, bool on) {
  int v = on ? 1 : 0;
  ::setsockopt(toSocket(fd), level, option, reinterpret_cast<const char*>(&v), sizeof v);
}

bool getBoolOption(int fd, int level, int option) {
  int v = 0;  // some options answer with one byte: the rest stays 0
  int len = sizeof v;
  ::getsockopt(toSocket(fd), level, option, reinterpret_cast<char*>(&v), &len);
  return v != 0;
}

Address localAddress(int fd) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (::getsockname(toSocket(fd), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

Address peerAddress(int fd) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (::getpeername(toSocket(fd), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

int pendingError(int fd) {
  int err = 0;
  int len = sizeof err;
  if (::getsockopt(toSocket(fd), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) != 0)
    return lastError();
  return err == 0 ? 0 : mapWsa(err);
}

int listenOn(int fd, const Address& addr, int backlog) {
  // SO_REUSEADDR on Windows lets another socket bind the same port and steal connections;
  // exclusive use is what POSIX's default (plus TIME_WAIT reuse, which Windows allows) means.
  setBoolOption(fd, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, true);
  if (addr.isV6()) setBoolOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, true);
  if (::bind(toSocket(fd), addr.sockaddrPtr(), addr.sockaddrLen()) != 0) return failed();
  if (::listen(toSocket(fd), backlog) != 0) return failed();
  return 0;
}

int bindTo(int fd, const Address& addr) {
  if (::bind(toSocket(fd), addr.sockaddrPtr(), addr.sockaddrLen()) != 0) return failed();
  return 0;
}

int startConnect(int fd, const Address& to) {
  if (::connect(toSocket(fd), to.sockaddrPtr(), to.sockaddrLen()) == 0) return 0;
  int err = lastError();
  // A non-blocking connect in progress is WSAEWOULDBLOCK on Windows, not EINPROGRESS.
  return err == EWOULDBLOCK || err == EINPROGRESS ? 0 : err;
}

int acceptNonBlocking(int listenFd, Address* peer) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  SOCKET s = ::accept(toSocket(listenFd), reinterpret_cast<sockaddr*>(&ss), &len);
  if (s == INVALID_SOCKET) return failed();
  setNonBlocking(s);  // inherited from the listener already; explicit for clarity
  ::SetHandleInformation(reinterpret_cast<HANDLE>(s), HANDLE_FLAG_INHERIT, 0);
  if (peer) *peer = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  return fromSocket(s);
}

std::optional<Address> resolve(const std::string& host, uint16_t port, std::string& error) {
  startup();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  std::optional<Address> addr;
  if (rc == 0 && res) {
    Address a = Address::fromSockaddr(res->ai_addr, static_cast<socklen_t>(res->ai_addrlen));
    addr = Address::parse(a.host(), port);
  } else {
    error = errorString(mapWsa(rc));
  }
  if (res) ::freeaddrinfo(res);
  return addr;
}

std::ptrdiff_t send(int fd, const char* data, size_t len) {
  int n = ::send(toSocket(fd), data, static_cast<int>(std::min<size_t>(len, INT_MAX)), 0);
  return n == SOCKET_ERROR ? failed() : n;
}

std::ptrdiff_t sendGather(int fd, const std::string_view* parts, size_t count) {
  std::array<WSABUF, 64> bufs;
  count = std::min(count, bufs.size());
  for (size_t i = 0; i < count; ++i) {
    bufs[i].buf = const_cast<char*>(parts[i].data());
    bufs[i].len = static_cast<ULONG>(parts[i].size());
  }
  DWORD sent = 0;
  if (::WSASend(toSocket(fd), bufs.data(), static_cast<DWORD>(count), &sent, 0, nullptr, nullptr) !=
      0)
    return failed();
  return static_cast<std::ptrdiff_t>(sent);
}

std::ptrdiff_t receive(int fd, char* buf, size_t len) {
  int n = ::recv(toSocket(fd), buf, static_cast<int>(std::min<size_t>(len, INT_MAX)), 0);
  return n == SOCKET_ERROR ? failed() : n;
}

size_t unreadBytes(int fd) {
  u_long n = 0;
  return ::ioctlsocket(toSocket(fd), FIONREAD, &n) == 0 ? static_cast<size_t>(n) : 0;
}

void shutdownWrite(int fd) {
  ::shutdown(toSocket(fd), SD_SEND);
}

bool openWakePair(int& readFd, int& writeFd) {
  // Winsock has no pipe select() can watch: a connected loopback TCP pair instead.
  startup();
  int listener = openTcpSocket(AF_INET);
  if (listener < 0) return false;
  Address any = *Address::parse("127.0.0.1", 0);
  if (listenOn(listener, any, 1) != 0) {
    closeSocket(listener);
    return false;
  }
  Address where = localAddress(listener);
  int writer = openTcpSocket(AF_INET);
  int reader = -1;
  if (writer >= 0 && startConnect(writer, where) == 0) {
    // The connect completes in the listener's backlog; wait for it (loopback: immediate).
    fd_set w;
    FD_ZERO(&w);
    FD_SET(toSocket(writer), &w);
    timeval tv{5, 0};
    if (::select(0, nullptr, &w, nullptr, &tv) == 1) reader = acceptNonBlocking(listener, nullptr);
  }
  closeSocket(listener);
  // Only our own connect may become the waker: another local process could have raced us.
  if (reader >= 0 && !(peerAddress(reader) == localAddress(writer))) {
    closeSocket(reader);
    reader = -1;
  }
  if (reader < 0) {
    if (writer >= 0) closeSocket(writer);
    return false;
  }
  setBoolOption(writer, IPPROTO_TCP, TCP_NODELAY, true);  // a wake-up is one byte, now
  readFd = reader;
  writeFd = writer;
  return true;
}

int openReserveFd() {
  return -1;
}

void closeReserveFd(int fd) {
  if (fd >= 0) closeSocket(fd);
}

void closeWithReset(int fd) {
  linger lg{1, 0};
  ::setsockopt(toSocket(fd), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&lg), sizeof lg);
  ::closesocket(toSocket(fd));
}

}  // namespace weft::sockets
