// Errors are values with a kind. A Reason travels to callbacks (connectionLost,
// clientConnectionFailed); an Error is thrown for API misuse and setup failures.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace weft {

enum class ErrorKind {
  ConnectionDone,     // closed cleanly (by us or by the peer)
  ConnectionLost,     // closed uncleanly (read/write error)
  ConnectionRefused,  // ECONNREFUSED on connect
  TimedOut,           // connect timeout
  Aborted,            // abortConnection() was called
  Reset,              // ECONNRESET / EPIPE from the peer
  DnsLookup,          // host name could not be resolved
  TooManyOpenFiles,   // EMFILE / ENFILE
  FdTooLarge,         // fd >= FD_SETSIZE on the select backend
  CannotListen,       // bind/listen failed (address in use, bad interface)
  ConnectError,       // any other connect failure
  UserCancelled,      // Connector::stopConnecting()
  NotRunning,         // stop() when the reactor is not running
  AlreadyRunning,     // run() while running
  AlreadyCalled,      // DelayedCall already fired
  AlreadyCancelled,   // DelayedCall already cancelled
  InvalidArgument,    // bad host/port/argument, or a string too long for its prefix
  Unavailable,        // reactor not built or not usable here
  Internal,           // unexpected system error
  TlsHandshakeFailed,  // TLS handshake failed (bad or expired certificate, wrong name, not TLS)
  TlsTruncated,        // TCP EOF without the peer's TLS close_notify (possible truncation)
  TlsError,            // TLS protocol error after the handshake (bad record, renegotiation)
};

std::string_view errorKindName(ErrorKind kind);

// Why a connection ended or failed. `sysErrno` is 0 when no system call failed.
struct Reason {
  ErrorKind kind = ErrorKind::ConnectionDone;
  std::string message;
  int sysErrno = 0;

  bool clean() const { return kind == ErrorKind::ConnectionDone; }
  std::string describe() const;  // "ConnectionRefused: connection refused (errno 111)"
};

// Reason for a failed system call, mapping errno to the closest ErrorKind.
Reason reasonFromErrno(int err, std::string_view context);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message);
  explicit Error(Reason reason);
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace weft
