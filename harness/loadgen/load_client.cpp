#include "load_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <vector>

#include "common/process.hpp"

namespace weft::harness {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kReadBuffer = 64 * 1024;
// Payloads are windows into one pattern, shifted per message, so a reply that comes back
// reordered, duplicated or from the wrong message does not match.
constexpr size_t kPatternShift = 251;

uint64_t nowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

struct Conn {
  int fd = -1;
  bool alive = false;
  uint64_t sendSeq = 0;  // next message to send
  uint64_t recvSeq = 0;  // message whose reply is arriving
  size_t recvOff = 0;    // bytes of that reply already matched
  std::deque<uint64_t> sentAt;
  std::string out;  // bytes the kernel did not take yet
  size_t outOff = 0;
  bool wantOut = false;
};

class Engine {
 public:
  explicit Engine(const LoadConfig& c) : cfg_(c) {
    pattern_.resize(c.size + kPatternShift);
    for (size_t i = 0; i < pattern_.size(); ++i) pattern_[i] = char('a' + (i * 7 + i / 26) % 26);
  }

  LoadResult run();

 private:
  std::string_view payload(uint64_t seq) const {
    return {pattern_.data() + seq % kPatternShift, cfg_.size};
  }
  void frameInto(std::string& out, uint64_t seq) const {
    appendFrame(out, cfg_.wire, payload(seq));
  }
  bool connectAll();
  void queueSend(Conn& c, uint64_t now);
  void flush(Conn& c);
  void onReadable(Conn& c);
  void lose(Conn& c);
  void consume(Conn& c, const char* data, size_t len);

  LoadConfig cfg_;
  std::string pattern_;
  std::string expect_;  // scratch: the frame expected for the reply in progress
  uint64_t expectSeq_ = UINT64_MAX;
  std::vector<Conn> conns_;
  int ep_ = -1;
  bool measuring_ = false;
  bool stopping_ = false;
  LoadResult r_;
};

bool Engine::connectAll() {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(cfg_.port);
  if (inet_pton(AF_INET, cfg_.host.c_str(), &sa.sin_addr) != 1) {
    r_.error = "bad host " + cfg_.host;
    return false;
  }
  conns_.resize(static_cast<size_t>(cfg_.connections));
  for (size_t i = 0; i < conns_.size(); ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Blocking connect keeps setup simple; loopback connects complete at once.
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
      r_.error = std::string("connect: ") + std::strerror(errno);
      if (fd >= 0) close(fd);
      return false;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int fl = 1;
    ioctl(fd, FIONBIO, &fl);
    conns_[i].fd = fd;
    conns_[i].alive = true;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = i;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e);
  }
  return true;
}

void Engine::queueSend(Conn& c, uint64_t now) {
  frameInto(c.out, c.sendSeq++);
  c.sentAt.push_back(now);
}

void Engine::flush(Conn& c) {
  while (c.outOff < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + c.outOff, c.out.size() - c.outOff, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      lose(c);
      return;
    }
    c.outOff += static_cast<size_t>(n);
  }
  if (c.outOff == c.out.size()) {
    c.out.clear();
    c.outOff = 0;
  }
  bool want = !c.out.empty();
  if (want != c.wantOut) {
    c.wantOut = want;
    epoll_event e{};
    e.events = want ? EPOLLIN | EPOLLOUT : EPOLLIN;
    e.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &e);
  }
}

void Engine::lose(Conn& c) {
  if (!c.alive) return;
  c.alive = false;
  if (!stopping_) ++r_.errors;
  epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
  close(c.fd);
}

// Match reply bytes against the frames this connection sent, completing messages in order.
void Engine::consume(Conn& c, const char* data, size_t len) {
  uint64_t now = 0;
  while (len > 0 && c.alive) {
    if (expectSeq_ != c.recvSeq) {
      expect_.clear();
      frameInto(expect_, c.recvSeq);
      expectSeq_ = c.recvSeq;
    }
    size_t take = std::min(len, expect_.size() - c.recvOff);
    if (std::memcmp(expect_.data() + c.recvOff, data, take) != 0) {
      ++r_.verifyFailures;
      lose(c);
      return;
    }
    c.recvOff += take;
    data += take;
    len -= take;
    if (c.recvOff == expect_.size()) {
      if (now == 0) now = nowNs();
      if (measuring_) {
        ++r_.messages;
        r_.latency.record(now - c.sentAt.front());
      }
      c.sentAt.pop_front();
      ++c.recvSeq;
      c.recvOff = 0;
      expectSeq_ = UINT64_MAX;  // another connection may be next: recompute lazily
      if (!stopping_) queueSend(c, now);
    }
  }
}

void Engine::onReadable(Conn& c) {
  static std::vector<char> buf(kReadBuffer);
  ssize_t n = read(c.fd, buf.data(), buf.size());
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    lose(c);
    return;
  }
  if (n < 0) return;
  consume(c, buf.data(), static_cast<size_t>(n));
  if (c.alive && !c.out.empty()) flush(c);
}

LoadResult Engine::run() {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  if (!connectAll()) return std::move(r_);
  uint64_t start = nowNs();
  for (auto& c : conns_) {
    for (int d = 0; d < cfg_.depth; ++d) queueSend(c, start);
    flush(c);
  }
  auto toNs = [](double s) { return static_cast<uint64_t>(s * 1e9); };
  uint64_t measureAt = start + toNs(cfg_.warmupSeconds);
  uint64_t endAt = measureAt + toNs(cfg_.durationSeconds);
  ProcStats before{};
  std::vector<epoll_event> events(256);
  for (;;) {
    uint64_t now = nowNs();
    if (!measuring_ && now >= measureAt) {
      measuring_ = true;
      r_.latency.reset();
      if (cfg_.serverPid > 0) before = readProcStats(cfg_.serverPid).value_or(ProcStats{});
      measureAt = now;
    }
    if (now >= endAt) {
      r_.seconds = double(now - measureAt) / 1e9;
      if (cfg_.serverPid > 0) {
        if (auto after = readProcStats(cfg_.serverPid)) {
          r_.serverCpuSeconds = after->cpuSeconds - before.cpuSeconds;
          r_.serverVmHwmKb = after->vmHwmKb;
        }
      }
      break;
    }
    int timeoutMs = static_cast<int>(((measuring_ ? endAt : measureAt) - now) / 1000000) + 1;
    int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), timeoutMs);
    for (int i = 0; i < n; ++i) {
      Conn& c = conns_[events[i].data.u64];
      if (!c.alive) continue;
      if (events[i].events & EPOLLOUT) flush(c);
      if (c.alive && events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) onReadable(c);
    }
  }
  stopping_ = true;
  for (auto& c : conns_) {
    if (c.alive) lose(c);
  }
  close(ep_);
  return std::move(r_);
}

}  // namespace

LoadResult runLoad(const LoadConfig& cfg) {
  return Engine(cfg).run();
}

}  // namespace weft::harness
