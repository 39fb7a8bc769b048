// Native Boost.Asio echo server: one io_context on one thread, async_read_some into a 64 KiB
// buffer, async_write of the complete frames, then read again (Asio's own echo example).
// Boost 1.74 forgets <utility> (std::exchange) in awaitable.hpp under C++20.
#include <utility>

#include <boost/asio.hpp>

#include <cstdio>
#include <memory>
#include <vector>

#include "common/reference_common.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using weft::reference::Framing;

namespace {

constexpr size_t kReadBuffer = 64 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Framing framing) : socket_(std::move(socket)), framing_(framing) {
    socket_.set_option(tcp::no_delay(true));
    buf_.resize(kReadBuffer);
  }

  void start() { read(); }

 private:
  void read() {
    // Keep any partial frame at the front; read after it.
    if (buf_.size() - used_ < kReadBuffer / 2) buf_.resize(used_ + kReadBuffer);
    socket_.async_read_some(asio::buffer(buf_.data() + used_, buf_.size() - used_),
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              if (ec) return;
                              self->used_ += n;
                              size_t done = weft::reference::completeFrameBytes(
                                  self->framing_, self->buf_.data(), self->used_);
                              if (done == 0) return self->read();
                              self->write(done);
                            });
  }

  void write(size_t done) {
    asio::async_write(socket_, asio::buffer(buf_.data(), done),
                      [self = shared_from_this(), done](boost::system::error_code ec, size_t) {
                        if (ec) return;
                        auto& b = self->buf_;
                        std::copy(b.begin() + done, b.begin() + self->used_, b.begin());
                        self->used_ -= done;
                        self->read();
                      });
  }

  tcp::socket socket_;
  Framing framing_;
  std::vector<char> buf_;
  size_t used_ = 0;
};

void accept(tcp::acceptor& acceptor, Framing framing) {
  acceptor.async_accept([&acceptor, framing](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket), framing)->start();
    accept(acceptor, framing);
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = weft::reference::parseOptions(argc, argv);
  asio::io_context io(1);
  tcp::acceptor acceptor(io);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), opts.port);
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen(1024);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });

  accept(acceptor, opts.framing);
  weft::reference::announce(acceptor.local_endpoint().port());
  io.run();
  return 0;
}
