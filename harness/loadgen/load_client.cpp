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
#include <optional>
#include <span>
#include <vector>

#include "common/process.hpp"
#include "server_sampling.hpp"

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
  size_t target = 0;
  uint64_t sendSeq = 0;  // next message to send
  uint64_t recvSeq = 0;  // message whose reply is arriving
  size_t recvOff = 0;    // bytes of that reply already matched
  std::deque<uint64_t> sentAt;
  std::string out;  // bytes the kernel did not take yet
  size_t outOff = 0;
  bool wantOut = false;
  uint64_t nextDue = 0;  // open loop: when this connection's next message is meant to go
};

// epoll_event.data of an idle connection: this bit plus its index in Engine::idle_.
constexpr uint64_t kIdleTag = uint64_t(1) << 63;

struct Target {
  LoadTarget cfg;
  LoadResult r;
  size_t firstConn = 0;  // its connections are conns_[firstConn, firstConn + connCount)
  size_t connCount = 0;
  size_t liveConns = 0;
  uint64_t inFlight = 0;  // messages sent whose reply is not complete
  bool openLoop() const { return cfg.rate > 0; }
};

uint64_t toNs(double s) {
  return static_cast<uint64_t>(s * 1e9);
}

class Engine {
 public:
  explicit Engine(const LoadConfig& c) : cfg_(c) {
    pattern_.resize(c.size + kPatternShift);
    for (size_t i = 0; i < pattern_.size(); ++i) pattern_[i] = char('a' + (i * 7 + i / 26) % 26);
    for (const auto& t : c.targets) targets_.emplace_back().cfg = t;
  }

  std::vector<LoadResult> run();

 private:
  std::string_view payload(uint64_t seq) const {
    return {pattern_.data() + seq % kPatternShift, cfg_.size};
  }
  void frameInto(std::string& out, uint64_t seq) const {
    appendFrame(out, cfg_.wire, payload(seq));
  }
  std::span<Conn> connsOf(const Target& t) {
    return std::span<Conn>(conns_).subspan(t.firstConn, t.connCount);
  }
  void connectTarget(size_t t);
  int connectOne(const sockaddr_in& sa, std::string& error);
  void openIdle(size_t t, const sockaddr_in& sa);
  void onIdleEvent(uint64_t index);
  uint64_t sendDue(Target& t, uint64_t now);
  void runPhase(double seconds, bool measured);
  void runSlice(Target& t, uint64_t lengthNs, bool measured);
  void pump(uint64_t timeoutNs);
  void queueSend(Conn& c, uint64_t now);
  void flush(Conn& c);
  void onReadable(Conn& c);
  void lose(Conn& c);
  void consume(Conn& c, const char* data, size_t len);

  LoadConfig cfg_;
  std::string pattern_;
  std::string expect_;  // scratch: the frame expected for the reply in progress
  uint64_t expectSeq_ = UINT64_MAX;
  std::vector<Target> targets_;
  std::vector<Conn> conns_;
  struct Idle {
    int fd = -1;
    size_t target = 0;
  };
  std::vector<Idle> idle_;
  std::vector<epoll_event> events_ = std::vector<epoll_event>(256);
  int ep_ = -1;
  bool measuring_ = false;
  bool draining_ = false;  // the slice is over: complete the replies in flight, send no more
  bool stopping_ = false;
};

int Engine::connectOne(const sockaddr_in& sa, std::string& error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // Blocking connect keeps setup simple; loopback connects complete at once.
  if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0) {
    error = std::string("connect: ") + std::strerror(errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int fl = 1;
  ioctl(fd, FIONBIO, &fl);
  return fd;
}

void Engine::connectTarget(size_t ti) {
  Target& t = targets_[ti];
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(t.cfg.port);
  if (inet_pton(AF_INET, cfg_.host.c_str(), &sa.sin_addr) != 1) {
    t.r.error = "bad host " + cfg_.host;
    return;
  }
  t.firstConn = conns_.size();
  for (int i = 0; i < cfg_.connections; ++i) {
    int fd = connectOne(sa, t.r.error);
    if (fd < 0) {
      for (Conn& c : connsOf(t)) lose(c);
      return;
    }
    Conn& c = conns_.emplace_back();
    c.fd = fd;
    c.alive = true;
    c.target = ti;
    ++t.connCount;
    ++t.liveConns;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = conns_.size() - 1;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e);
  }
  openIdle(ti, sa);
}

// After the active connections, so those get the server's low fds (select's FD_SETSIZE bound
// then refuses idle connections, never the measured ones).
void Engine::openIdle(size_t ti, const sockaddr_in& sa) {
  Target& t = targets_[ti];
  for (int i = 0; i < cfg_.idle; ++i) {
    std::string why;
    int fd = connectOne(sa, why);
    if (fd < 0) {
      t.r.error = "idle connection " + std::to_string(i) + ": " + why;
      return;
    }
    idle_.push_back({fd, ti});
    ++t.r.idleOpened;
    epoll_event e{};
    e.events = EPOLLIN;  // only to see the server close it
    e.data.u64 = kIdleTag | (idle_.size() - 1);
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e);
  }
}

void Engine::onIdleEvent(uint64_t index) {
  Idle& i = idle_[index];
  if (i.fd < 0) return;
  epoll_ctl(ep_, EPOLL_CTL_DEL, i.fd, nullptr);
  close(i.fd);
  i.fd = -1;
  if (!stopping_) ++targets_[i.target].r.idleRefused;
}

// Open loop: queue every message whose time has come, stamped with the time it was due (not
// now: a late send is the server's backlog showing, and counts in its latency). Returns the
// next due time of the target's connections.
uint64_t Engine::sendDue(Target& t, uint64_t now) {
  uint64_t interval = static_cast<uint64_t>(1e9 * double(cfg_.connections) / t.cfg.rate);
  uint64_t next = UINT64_MAX;
  for (Conn& c : connsOf(t)) {
    if (!c.alive) continue;
    bool queued = false;
    while (c.nextDue <= now) {
      frameInto(c.out, c.sendSeq++);
      c.sentAt.push_back(c.nextDue);
      ++t.inFlight;
      c.nextDue += std::max<uint64_t>(interval, 1);
      queued = true;
    }
    if (queued) flush(c);
    if (c.alive) next = std::min(next, c.nextDue);
  }
  return next;
}

void Engine::queueSend(Conn& c, uint64_t now) {
  frameInto(c.out, c.sendSeq++);
  c.sentAt.push_back(now);
  ++targets_[c.target].inFlight;
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
  Target& t = targets_[c.target];
  --t.liveConns;
  t.inFlight -= c.sentAt.size();
  if (!stopping_) ++t.r.errors;
  epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
  close(c.fd);
}

// Match reply bytes against the frames this connection sent, completing messages in order.
void Engine::consume(Conn& c, const char* data, size_t len) {
  Target& t = targets_[c.target];
  uint64_t now = 0;
  while (len > 0 && c.alive) {
    if (c.sentAt.empty()) {  // bytes nobody asked for
      ++t.r.verifyFailures;
      lose(c);
      return;
    }
    if (expectSeq_ != c.recvSeq) {
      expect_.clear();
      frameInto(expect_, c.recvSeq);
      expectSeq_ = c.recvSeq;
    }
    size_t take = std::min(len, expect_.size() - c.recvOff);
    if (std::memcmp(expect_.data() + c.recvOff, data, take) != 0) {
      ++t.r.verifyFailures;
      lose(c);
      return;
    }
    c.recvOff += take;
    data += take;
    len -= take;
    if (c.recvOff == expect_.size()) {
      if (now == 0) now = nowNs();
      if (measuring_) {
        ++t.r.messages;
        t.r.latency.record(now - c.sentAt.front());
      }
      c.sentAt.pop_front();
      --t.inFlight;
      ++c.recvSeq;
      c.recvOff = 0;
      expectSeq_ = UINT64_MAX;  // another connection may be next: recompute lazily
      if (!draining_ && !t.openLoop()) queueSend(c, now);
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

void Engine::pump(uint64_t timeoutNs) {
  // Nanosecond timeout (epoll_pwait2, Linux 5.11): an open loop's sends are due every few
  // microseconds, and epoll_wait's milliseconds would send them late in bursts.
  timespec ts{static_cast<time_t>(timeoutNs / 1000000000),
              static_cast<long>(timeoutNs % 1000000000)};
  int n = epoll_pwait2(ep_, events_.data(), static_cast<int>(events_.size()), &ts, nullptr);
  if (n < 0 && errno == ENOSYS) {
    n = epoll_wait(ep_, events_.data(), static_cast<int>(events_.size()),
                   static_cast<int>(timeoutNs / 1000000) + 1);
  }
  for (int i = 0; i < n; ++i) {
    uint64_t tag = events_[i].data.u64;
    if (tag & kIdleTag) {
      onIdleEvent(tag & ~kIdleTag);
      continue;
    }
    Conn& c = conns_[tag];
    if (!c.alive) continue;
    if (events_[i].events & EPOLLOUT) flush(c);
    if (c.alive && events_[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) onReadable(c);
  }
}

// One turn of one target: keep `depth` messages in flight on each of its connections for
// lengthNs, then complete the replies still in flight. Ending on an empty pipe makes the slice
// unbiased: the replies that straggle in after the deadline count, and so does their time.
void Engine::runSlice(Target& t, uint64_t lengthNs, bool measured) {
  std::optional<ProcStats> before;
  std::optional<ContextSwitches> switchesBefore;
  if (measured && t.cfg.serverPid > 0) {
    switchesBefore = readContextSwitches(t.cfg.serverPid);
    before = readProcStats(t.cfg.serverPid);
  }
  measuring_ = measured;
  draining_ = false;
  uint64_t begin = nowNs();
  uint64_t nextDue = UINT64_MAX;  // open loop only
  if (t.openLoop()) {
    // The schedule starts afresh each slice, the connections' sends spread over one interval.
    double interval = 1e9 * double(cfg_.connections) / t.cfg.rate;
    size_t k = 0;
    for (Conn& c : connsOf(t)) {
      c.nextDue = begin + static_cast<uint64_t>(interval * double(k++) / double(t.connCount));
    }
    nextDue = sendDue(t, begin);
  } else {
    for (Conn& c : connsOf(t)) {
      if (!c.alive) continue;
      for (int d = 0; d < cfg_.depth; ++d) queueSend(c, begin);
      flush(c);
    }
  }
  uint64_t sendUntil = begin + lengthNs, drainBy = 0;
  while (t.inFlight > 0 || (!draining_ && t.openLoop() && t.liveConns > 0)) {
    uint64_t now = nowNs();
    if (!draining_ && now >= sendUntil) {
      draining_ = true;
      drainBy = now + toNs(cfg_.drainTimeoutSeconds);
      if (t.inFlight == 0) break;
    }
    if (draining_ && now >= drainBy) {
      t.r.error = "replies still missing " + std::to_string(cfg_.drainTimeoutSeconds) +
                  " s after the load stopped";
      for (Conn& c : connsOf(t)) lose(c);
      break;
    }
    if (!draining_ && t.openLoop() && nextDue <= now) {
      nextDue = sendDue(t, now);
      continue;
    }
    uint64_t wakeAt = draining_ ? drainBy : std::min(sendUntil, nextDue);
    pump(wakeAt > now ? wakeAt - now : 0);
  }
  uint64_t end = nowNs();
  if (!measured) return;
  t.r.seconds += double(end - begin) / 1e9;
  if (!before) return;
  if (auto after = readProcStats(t.cfg.serverPid)) {
    t.r.serverCpuSeconds =
        std::max(t.r.serverCpuSeconds, 0.0) + after->cpuSeconds - before->cpuSeconds;
  }
  auto switchesAfter = readContextSwitches(t.cfg.serverPid);
  if (switchesBefore && switchesAfter) {
    t.r.voluntarySwitches = std::max<int64_t>(t.r.voluntarySwitches, 0) +
                            int64_t(switchesAfter->voluntary - switchesBefore->voluntary);
    t.r.involuntarySwitches = std::max<int64_t>(t.r.involuntarySwitches, 0) +
                              int64_t(switchesAfter->involuntary - switchesBefore->involuntary);
  }
}

// Every target gets `seconds` of load, in round-robin slices (one slice if it is alone).
void Engine::runPhase(double seconds, bool measured) {
  std::vector<uint64_t> left(targets_.size(), toNs(seconds));
  uint64_t slice = toNs(cfg_.turnSeconds(seconds));
  for (bool any = true; any;) {
    any = false;
    for (size_t i = 0; i < targets_.size(); ++i) {
      Target& t = targets_[i];
      if (left[i] == 0 || t.liveConns == 0 || !t.r.error.empty()) continue;
      uint64_t len = std::min(slice, left[i]);
      runSlice(t, len, measured);
      left[i] -= len;
      any = true;
    }
  }
}

std::vector<LoadResult> Engine::run() {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < targets_.size(); ++i) connectTarget(i);
  runPhase(cfg_.warmupSeconds, false);
  runPhase(cfg_.durationSeconds, true);
  std::vector<LoadResult> out;
  for (auto& t : targets_) {
    if (t.cfg.serverPid > 0) {
      if (auto s = readProcStats(t.cfg.serverPid)) t.r.serverVmHwmKb = s->vmHwmKb;
    }
  }
  stopping_ = true;
  for (auto& c : conns_) lose(c);
  for (auto& i : idle_) {
    if (i.fd >= 0) close(i.fd);
  }
  close(ep_);
  for (auto& t : targets_) out.push_back(std::move(t.r));
  return out;
}

}  // namespace

std::vector<LoadResult> runLoad(const LoadConfig& cfg) {
  return Engine(cfg).run();
}

}  // namespace weft::harness
