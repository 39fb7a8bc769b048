// Native libuv echo server: uv_tcp + uv_read_start with a 64 KiB buffer; replies go out with
// uv_try_write and only the remainder is queued with uv_write (libuv's recommended pattern).
#include <uv.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/reference_common.hpp"

using weft::reference::Framing;

namespace {

constexpr size_t kReadBuffer = 64 * 1024;
constexpr size_t kHighWater = 1024 * 1024;
Framing framing = Framing::Echo;

struct Conn {
  uv_tcp_t handle{};
  std::string in;  // a partial frame carried between reads
  std::vector<char> buf = std::vector<char>(kReadBuffer);
  bool reading = true;
};

// One queued remainder of a reply the kernel did not take at once.
struct WriteReq {
  uv_write_t req{};
  std::string data;
};

void onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);

void onClose(uv_handle_t* h) {
  std::unique_ptr<Conn> owned(static_cast<Conn*>(h->data));
}

void onAlloc(uv_handle_t* h, size_t, uv_buf_t* out) {
  auto* c = static_cast<Conn*>(h->data);
  *out = uv_buf_init(c->buf.data(), static_cast<unsigned>(c->buf.size()));
}

void onWritten(uv_write_t* req, int status) {
  std::unique_ptr<WriteReq> owned(static_cast<WriteReq*>(req->data));
  auto* c = static_cast<Conn*>(req->handle->data);
  if (status < 0) return;
  if (!c->reading && uv_stream_get_write_queue_size(req->handle) < kHighWater) {
    c->reading = true;
    uv_read_start(req->handle, onAlloc, onRead);
  }
}

void reply(Conn* c, const char* data, size_t len) {
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->handle);
  uv_buf_t b = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(len));
  int sent = uv_try_write(stream, &b, 1);
  if (sent < 0) sent = 0;  // UV_EAGAIN: queue it all
  if (static_cast<size_t>(sent) == len) return;
  auto w = std::make_unique<WriteReq>();
  w->data.assign(data + sent, len - static_cast<size_t>(sent));
  w->req.data = w.get();
  uv_buf_t rest = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  if (uv_write(&w->req, stream, &rest, 1, onWritten) == 0) w.release();  // freed in onWritten
  if (uv_stream_get_write_queue_size(stream) > kHighWater) {
    c->reading = false;  // a peer that does not read its replies: stop reading
    uv_read_stop(stream);
  }
}

void onRead(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* c = static_cast<Conn*>(s->data);
  if (n < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(s), onClose);
    return;
  }
  const char* data = buf->base;
  size_t len = static_cast<size_t>(n);
  if (!c->in.empty()) {
    c->in.append(data, len);
    data = c->in.data();
    len = c->in.size();
  }
  size_t done = weft::reference::completeFrameBytes(framing, data, len);
  if (done > 0) reply(c, data, done);
  if (data == buf->base) {
    c->in.assign(data + done, len - done);
  } else {
    c->in.erase(0, done);
  }
}

void onConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  auto c = std::make_unique<Conn>();
  uv_tcp_init(server->loop, &c->handle);
  c->handle.data = c.get();
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->handle)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c.release()->handle), onClose);
    return;
  }
  uv_tcp_nodelay(&c->handle, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c.release()->handle), onAlloc, onRead);
}

void onSignal(uv_signal_t* h, int) {
  uv_stop(h->loop);
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = weft::reference::parseOptions(argc, argv);
  framing = opts.framing;
  uv_loop_t* loop = uv_default_loop();

  uv_tcp_t server;
  uv_tcp_init(loop, &server);
  sockaddr_in sa{};
  uv_ip4_addr("127.0.0.1", opts.port, &sa);
  if (uv_tcp_bind(&server, reinterpret_cast<sockaddr*>(&sa), 0) != 0 ||
      uv_listen(reinterpret_cast<uv_stream_t*>(&server), 1024, onConnection) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  int salen = sizeof sa;
  uv_tcp_getsockname(&server, reinterpret_cast<sockaddr*>(&sa), &salen);

  uv_signal_t sigint, sigterm;
  uv_signal_init(loop, &sigint);
  uv_signal_init(loop, &sigterm);
  uv_signal_start(&sigint, onSignal, SIGINT);
  uv_signal_start(&sigterm, onSignal, SIGTERM);

  weft::reference::announce(ntohs(sa.sin_port));
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}
