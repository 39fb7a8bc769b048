#include "weft/errors.hpp"

#include <cerrno>

#include "socket_ops.hpp"

namespace weft {

std::string_view errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::ConnectionDone:
      return "ConnectionDone";
    case ErrorKind::ConnectionLost:
      return "ConnectionLost";
    case ErrorKind::ConnectionRefused:
      return "ConnectionRefused";
    case ErrorKind::TimedOut:
      return "TimedOut";
    case ErrorKind::Aborted:
      return "Aborted";
    case ErrorKind::Reset:
      return "Reset";
    case ErrorKind::DnsLookup:
      return "DnsLookup";
    case ErrorKind::TooManyOpenFiles:
      return "TooManyOpenFiles";
    case ErrorKind::FdTooLarge:
      return "FdTooLarge";
    case ErrorKind::CannotListen:
      return "CannotListen";
    case ErrorKind::ConnectError:
      return "ConnectError";
    case ErrorKind::UserCancelled:
      return "UserCancelled";
    case ErrorKind::NotRunning:
      return "NotRunning";
    case ErrorKind::AlreadyRunning:
      return "AlreadyRunning";
    case ErrorKind::AlreadyCalled:
      return "AlreadyCalled";
    case ErrorKind::AlreadyCancelled:
      return "AlreadyCancelled";
    case ErrorKind::InvalidArgument:
      return "InvalidArgument";
    case ErrorKind::Unavailable:
      return "Unavailable";
    case ErrorKind::Internal:
      return "Internal";
    case ErrorKind::TlsHandshakeFailed:
      return "TlsHandshakeFailed";
    case ErrorKind::TlsTruncated:
      return "TlsTruncated";
    case ErrorKind::TlsError:
      return "TlsError";
  }
  return "Unknown";
}

std::string Reason::describe() const {
  std::string s(errorKindName(kind));
  if (!message.empty()) s += ": " + message;
  if (sysErrno != 0) s += " (errno " + std::to_string(sysErrno) + ")";
  return s;
}

Reason reasonFromErrno(int err, std::string_view context) {
  ErrorKind kind = ErrorKind::ConnectionLost;
  switch (err) {
    case ECONNREFUSED:
      kind = ErrorKind::ConnectionRefused;
      break;
    case ETIMEDOUT:
      kind = ErrorKind::TimedOut;
      break;
    case ECONNRESET:
    case EPIPE:
      kind = ErrorKind::Reset;
      break;
    case EMFILE:
    case ENFILE:
      kind = ErrorKind::TooManyOpenFiles;
      break;
    case ECONNABORTED:
      kind = ErrorKind::Aborted;
      break;
    default:
      break;
  }
  std::string msg(context);
  msg += msg.empty() ? "" : ": ";
  msg += sockets::errorString(err);  // strerror, plus the socket errors Windows' CRT lacks
  return Reason{kind, std::move(msg), err};
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(std::string(errorKindName(kind)) + ": " + message), kind_(kind) {}

Error::Error(Reason reason) : std::runtime_error(reason.describe()), kind_(reason.kind) {}

}  // namespace weft
