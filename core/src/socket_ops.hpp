// The one place for platform socket calls (POSIX: socket_ops.cpp, Winsock: socket_ops_win.cpp,
// chosen by CMake). The stream transport, listening port, connector and waker call only these,
// so their logic is shared by every platform.
//
// Sockets are ints everywhere: a Winsock SOCKET is a kernel handle whose significant bits fit
// in 32 (Microsoft guarantees it for 64-bit interop), and core's fd table is indexed by it.
// Calls that fail return -1 and leave the cause in lastError(), an errno value: Winsock's
// WSAE* codes are mapped to the <cerrno> names (EWOULDBLOCK, ECONNRESET, ...), so callers
// compare against one set of constants.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include "weft/address.hpp"

namespace weft::sockets {

// errno of the last failed call on this thread (Winsock errors mapped to errno names).
int lastError();
// A transient condition: retry when the poller says so.
bool wouldBlock(int err);
// Text for an errno value; knows the socket errors the C runtime of Windows does not.
std::string errorString(int err);

int openTcpSocket(int family);  // non-blocking, not inherited by children; -1 on failure
void closeSocket(int fd);
void setBoolOption(int fd, int level, int option, bool on);
bool getBoolOption(int fd, int level, int option);
Address localAddress(int fd);
Address peerAddress(int fd);
int pendingError(int fd);  // SO_ERROR, as an errno value

// Bind (address reuse as each platform means it: SO_REUSEADDR on POSIX, exclusive use on
// Windows, where SO_REUSEADDR would let another process steal the port) and listen.
int listenOn(int fd, const Address& addr, int backlog);
int bindTo(int fd, const Address& addr);
// Start a non-blocking connect: 0 when connected or in progress, else the errno.
int startConnect(int fd, const Address& to);
// A new non-blocking socket, or -1. `peer` may be null.
int acceptNonBlocking(int listenFd, Address* peer);
// Host name to address (blocking: call it off the loop). nullopt and `error` on failure.
std::optional<Address> resolve(const std::string& host, uint16_t port, std::string& error);

// No SIGPIPE on a closed peer (the error comes back as EPIPE instead).
std::ptrdiff_t send(int fd, const char* data, size_t len);
// One system call for several buffers (sendmsg / WSASend).
std::ptrdiff_t sendGather(int fd, const std::string_view* parts, size_t count);
std::ptrdiff_t receive(int fd, char* buf, size_t len);
// Bytes received and not read yet (FIONREAD); 0 if unknown.
size_t unreadBytes(int fd);
void shutdownWrite(int fd);

// A connected pair of non-blocking sockets (or pipe) for the waker: `readFd` becomes readable
// after a write to `writeFd`. Returns false with lastError() set.
bool openWakePair(int& readFd, int& writeFd);

// A spare descriptor held so accept() can still succeed (and refuse) under EMFILE. Windows
// has no per-process descriptor limit to run into: -1 there.
int openReserveFd();
void closeReserveFd(int fd);
// SO_LINGER {1, 0} then close: the peer sees RST.
void closeWithReset(int fd);

}  // namespace weft::sockets
