// Many raw client connections driven by one epoll loop in the test process: independent of
// weft's own backends, so the server under test is judged by a neutral peer.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "weft/address.hpp"

namespace weft::fault {

struct RawConn {
  int fd = -1;
  std::string out;
  size_t outOff = 0;
  std::string in;
  bool connected = false;
  bool closed = false;  // EOF or error seen
  bool reset = false;   // ECONNRESET
  bool reading = true;  // false: a peer that never reads
};

class ClientPool {
 public:
  ClientPool() : ep_(::epoll_create1(EPOLL_CLOEXEC)) {}
  ~ClientPool() {
    closeAll();
    ::close(ep_);
  }

  // Start `n` non-blocking connects; returns how many sockets could be created.
  size_t open(size_t n, const Address& to) {
    size_t made = 0;
    for (size_t i = 0; i < n; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) break;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ::connect(fd, to.sockaddrPtr(), to.sockaddrLen());
      RawConn c;
      c.fd = fd;
      conns_.push_back(std::move(c));
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.u64 = conns_.size() - 1;
      ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
      ++made;
    }
    return made;
  }

  std::vector<RawConn>& conns() { return conns_; }
  RawConn& operator[](size_t i) { return conns_[i]; }
  size_t size() const { return conns_.size(); }

  void send(size_t i, std::string_view data) {
    conns_[i].out.append(data);
    arm(i);
  }
  void stopReading(size_t i) {
    conns_[i].reading = false;
    arm(i);
  }

  // Drive I/O until `done()` or the deadline. Returns done().
  bool pump(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::vector<epoll_event> evs(512);
    char buf[65536];
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      int n = ::epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()),
                           static_cast<int>(std::min<long>(left.count(), 50)));
      for (int k = 0; k < n; ++k) {
        size_t i = evs[k].data.u64;
        RawConn& c = conns_[i];
        if (c.closed) continue;
        if (evs[k].events & EPOLLOUT) {
          c.connected = true;
          while (c.outOff < c.out.size()) {
            ssize_t w =
                ::send(c.fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
            if (w <= 0) break;
            c.outOff += static_cast<size_t>(w);
          }
          if (c.outOff == c.out.size()) {
            c.out.clear();
            c.outOff = 0;
          }
        }
        if ((evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c.reading) {
          for (;;) {
            ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
            if (r > 0) {
              c.in.append(buf, static_cast<size_t>(r));
              continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
              c.reset = r < 0 && errno == ECONNRESET;
              c.closed = true;
              ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
            }
            break;
          }
        }
        if (!c.closed) arm(i);
      }
    }
    return true;
  }

  void close(size_t i, bool withReset = false) {
    RawConn& c = conns_[i];
    if (c.fd < 0) return;
    if (withReset) {
      linger lg{1, 0};
      ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    ::close(c.fd);
    c.fd = -1;
    c.closed = true;
  }
  void closeAll() {
    for (size_t i = 0; i < conns_.size(); ++i) close(i);
  }

 private:
  void arm(size_t i) {
    RawConn& c = conns_[i];
    if (c.fd < 0 || c.closed) return;
    epoll_event ev{};
    ev.events =
        (c.reading ? EPOLLIN : 0u) | (!c.connected || c.outOff < c.out.size() ? EPOLLOUT : 0u);
    ev.data.u64 = i;
    ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  int ep_;
  std::vector<RawConn> conns_;
};

}  // namespace weft::fault
