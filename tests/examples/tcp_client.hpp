// A plain blocking-socket TCP client for the end-to-end tests: the examples are checked from
// outside weft, with nothing of weft on the client side. Every read has a deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "child_process.hpp"

namespace weft::test {

class TcpClient {
 public:
  // Connects to 127.0.0.1:port; throws std::runtime_error on failure.
  explicit TcpClient(uint16_t port);
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;
  ~TcpClient();

  void send(std::string_view data);
  void sendLine(std::string_view line) { send(std::string(line) + "\r\n"); }
  // One CRLF-terminated line without its CRLF; nullopt on EOF or timeout.
  std::optional<std::string> readLine(Seconds timeout = kIoTimeout);
  // Up to n bytes: fewer only on EOF or timeout.
  std::string read(size_t n, Seconds timeout = kIoTimeout);
  // True if the peer closes (EOF or reset) within the timeout with nothing more to read.
  bool closedByPeer(Seconds timeout = kIoTimeout);
  // Our end, as the server's getPeer() sees it: "127.0.0.1:PORT".
  std::string localAddress() const;
  void close();

 private:
  // Appends what arrives to pending_; false on EOF, error or timeout.
  bool fill(int timeoutMs);

  int fd_ = -1;
  std::string pending_;
};

// A port on 127.0.0.1 where a connection is refused: bound (so nobody else takes it while the
// object lives) but never listening.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// "listening on 127.0.0.1:40123" -> 40123; throws std::runtime_error on anything else.
uint16_t parseListeningLine(const std::optional<std::string>& line);

}  // namespace weft::test
