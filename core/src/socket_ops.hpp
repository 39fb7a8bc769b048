// Thin POSIX socket helpers shared by the stream transport, the listening port and the
// connector.
#pragma once

#include <string_view>

#include "weft/address.hpp"

namespace weft::sockets {

int openTcpSocket(int family);  // non-blocking, close-on-exec; -1 and errno on failure
void setBoolOption(int fd, int level, int option, bool on);
bool getBoolOption(int fd, int level, int option);
Address localAddress(int fd);
Address peerAddress(int fd);
int pendingError(int fd);  // SO_ERROR
// A spare descriptor held so accept() can still succeed (and refuse) under EMFILE.
int openReserveFd();
void closeReserveFd(int fd);
// SO_LINGER {1, 0} then close: the peer sees RST.
void closeWithReset(int fd);

}  // namespace weft::sockets
