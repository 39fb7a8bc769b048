// Scenarios about load and resources: many connections, a peer that does not read, and a
// server stopped while replies are still queued.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "check/probe.hpp"
#include "check/scenario.hpp"
#include "common/process.hpp"
#include "common/stop_report.hpp"
#include "common/stop_request.hpp"

namespace weft::harness {

namespace {

constexpr size_t kConnections = 1100;  // > FD_SETSIZE on either side, to exercise select
constexpr size_t kBatch = 100;         // below the listen backlog: no SYN retransmit stalls
constexpr size_t kSlowBytes = 64u << 20;

std::shared_ptr<ConnState> connected(Driver& d, ClientSet& clients) {
  auto c = clients.connect();
  d.waitFor([&] { return c->made || c->done(); }, 10);
  return c;
}

bool fileMentions(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str().find(needle) != std::string::npos;
}

size_t chunkPayload(Wire w) {
  switch (w) {
    case Wire::Echo:
      return 64 * 1024;
    case Wire::Line:
      return 1000;  // under LineReceiver's default 16384
    default:
      return 16 * 1024;  // under IntN/netstring's default 99999
  }
}

// Sends frames of `payload` bytes until `total` bytes went out or the peer stops taking them
// (our transport's buffer does not shrink for `stallSeconds`). Returns what was queued.
std::string pushUntilStall(Driver& d, ScenarioEnv& env, ConnState& c, size_t total, size_t payload,
                           double stallSeconds, const std::function<void()>& sample) {
  std::string sent;
  size_t seq = 0;
  double lastProgress = env.reactor.seconds();
  size_t lastBuffered = SIZE_MAX;
  while (c.open() && !d.expired()) {
    size_t buffered = c.transport->bufferedBytes();
    if (buffered < lastBuffered) lastProgress = env.reactor.seconds();
    lastBuffered = buffered;
    if (buffered < (4u << 20) && sent.size() < total) {
      std::string batch;
      while (batch.size() < (1u << 20) && sent.size() + batch.size() < total) {
        appendFrame(batch, env.wire, payloadOf(seq++, payload));
      }
      c.write(batch);
      sent += batch;
      lastBuffered = SIZE_MAX;
      continue;
    }
    if (sent.size() >= total && buffered == 0) break;
    if (env.reactor.seconds() - lastProgress > stallSeconds) break;
    sample();
    d.idle(0.02);
  }
  return sent;
}

// Every connection the client made is either served or was refused by the server at accept
// (select: fd beyond FD_SETSIZE, FdTooLarge logged). The server's stop line says how many it
// served, so the ones it closed without a reply must be exactly the ones it refused: a
// connection it accepted and then closed unanswered is a failure, whatever the log says.
Verdict accountForEveryConnection(Driver& d, ScenarioEnv& env,
                                  const std::vector<std::shared_ptr<ConnState>>& conns,
                                  size_t closedNoReply, const std::string& counts) {
  size_t made = static_cast<size_t>(
      std::count_if(conns.begin(), conns.end(), [](auto& c) { return c->made; }));
  if (!requestStop(env.serverPid)) return Verdict::fail("cannot ask the server to stop");
  std::optional<StopReport> report;
  d.waitFor([&] { return (report = readStopReport(env.serverLog)).has_value(); }, 15);
  if (!report) {
    return Verdict::fail(counts + "; the server wrote no stop line (the connections it served)");
  }
  if (report->connections > made) {
    return Verdict::fail(counts + "; the server served " + std::to_string(report->connections) +
                         " connections, but only " + std::to_string(made) + " were made");
  }
  size_t refused = made - report->connections;
  if (closedNoReply != refused) {
    return Verdict::fail(counts + "; " + std::to_string(closedNoReply) +
                         " closed without a reply, but the server refused " +
                         std::to_string(refused) + " at accept: " +
                         std::to_string(closedNoReply > refused ? closedNoReply - refused
                                                                : refused - closedNoReply) +
                         " unexplained");
  }
  return Verdict::pass(counts + "; all accounted for (the server served " +
                       std::to_string(report->connections) + ")");
}

}  // namespace

Verdict manyConnections(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(50));
  ClientSet clients(env.reactor, env.port);
  std::vector<std::shared_ptr<ConnState>> conns;
  std::vector<std::string> want;
  for (size_t i = 0; i < kConnections; ++i) want.push_back(frame(env.wire, payloadOf(i, 32)));
  for (size_t start = 0; start < kConnections; start += kBatch) {
    size_t end = std::min(kConnections, start + kBatch);
    for (size_t i = start; i < end; ++i) conns.push_back(clients.connect(10));
    d.waitFor(
        [&] {
          return std::all_of(conns.begin() + long(start), conns.end(),
                             [](auto& c) { return c->made || c->done(); });
        },
        15);
    for (size_t i = start; i < end; ++i) conns[i]->write(want[i]);
  }
  auto settled = [&](size_t i) { return conns[i]->done() || conns[i]->received == want[i]; };
  d.waitFor(
      [&] {
        for (size_t i = 0; i < conns.size(); ++i) {
          if (!settled(i)) return false;
        }
        return true;
      },
      30);
  size_t ok = 0, fdTooLarge = 0, closedNoReply = 0, other = 0;
  std::string firstOther;
  for (size_t i = 0; i < conns.size(); ++i) {
    auto& c = *conns[i];
    if (c.received == want[i] && c.open()) {
      ++ok;
    } else if (c.failed && c.reason.kind == ErrorKind::FdTooLarge) {
      ++fdTooLarge;
    } else if (c.lost && c.received.empty()) {
      ++closedNoReply;
    } else {
      ++other;
      if (firstOther.empty()) {
        firstOther = "#" + std::to_string(i) + ": " +
                     (c.done() ? c.reason.describe() : std::string("no reply"));
      }
    }
  }
  std::string counts = std::to_string(ok) + " ok, " + std::to_string(fdTooLarge) + " FdTooLarge, " +
                       std::to_string(closedNoReply) + " closed by server";
  bool clientMayRefuse = mayRefuseBeyondFdSetSize(env.clientReactor, kConnections);
  bool serverMayRefuse = mayRefuseBeyondFdSetSize(env.serverReactor, kConnections);
  if (other > 0)
    return Verdict::fail(counts + ", " + std::to_string(other) + " broken " + firstOther);
  if (fdTooLarge > 0 && !clientMayRefuse)
    return Verdict::fail(counts + ": FdTooLarge although every socket fits the client's reactor");
  if (closedNoReply > 0 && !serverMayRefuse) return Verdict::fail(counts);
  if (closedNoReply > 0 && !fileMentions(env.serverLog, "FdTooLarge")) {
    return Verdict::fail(counts + ", but the server never named FdTooLarge");
  }
  if (!clientMayRefuse && !serverMayRefuse && ok != kConnections) return Verdict::fail(counts);
  if (ok < 900) return Verdict::fail(counts + ": too few served");
  // The survivors keep working: a second round trip on every tenth one.
  std::vector<size_t> again;
  for (size_t i = 0; i < conns.size(); i += 10) {
    if (conns[i]->open() && conns[i]->received == want[i]) {
      conns[i]->write(want[i]);
      again.push_back(i);
    }
  }
  d.waitFor(
      [&] {
        return std::all_of(again.begin(), again.end(), [&](size_t i) {
          return conns[i]->done() || conns[i]->received.size() >= 2 * want[i].size();
        });
      },
      15);
  for (size_t i : again) {
    if (conns[i]->received != want[i] + want[i]) {
      return Verdict::fail(counts + "; second round trip failed on #" + std::to_string(i));
    }
  }
  return accountForEveryConnection(d, env, conns, closedNoReply, counts);
}

Verdict slowReader(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(50));
  ClientSet clients(env.reactor, env.port);
  auto c = connected(d, clients);
  if (!c->open()) return Verdict::fail("connect: " + c->reason.describe());
  auto before = readProcStats(env.serverPid);
  if (!before) {
    return Verdict::fail("cannot read the memory of server PID " + std::to_string(env.serverPid));
  }
  long peakRss = before->vmRssKb;
  auto sample = [&] {
    if (auto s = readProcStats(env.serverPid)) peakRss = std::max(peakRss, s->vmRssKb);
  };
  c->transport->pauseProducing();  // we do not read: replies pile up towards the server
  std::string sent =
      pushUntilStall(d, env, *c, kSlowBytes, chunkPayload(env.wire.wire), 0.5, sample);
  sample();
  auto after = readProcStats(env.serverPid);
  if (after) peakRss = std::max(peakRss, after->vmHwmKb > before->vmHwmKb ? after->vmHwmKb : 0L);
  long growthKb = peakRss - before->vmRssKb;
  if (!c->open()) return Verdict::fail("connection lost: " + c->reason.describe());
  // Now read everything back: nothing may be lost or corrupted by the backpressure.
  c->transport->resumeProducing();
  while (sent.size() < kSlowBytes && c->open() && !d.expired()) {
    std::string more =
        pushUntilStall(d, env, *c, kSlowBytes - sent.size(), chunkPayload(env.wire.wire), 5, [] {});
    if (more.empty()) break;
    sent += more;  // frames continue with fresh sequence numbers; compared as a byte stream
  }
  d.waitFor([&] { return c->done() || c->received.size() >= sent.size(); }, 30);
  std::string mb = std::to_string(growthKb / 1024) + " MiB";
  if (growthKb >= 16 * 1024) return Verdict::fail("server RSS grew by " + mb);
  if (c->received != sent) {
    return Verdict::fail("echo of " + std::to_string(sent.size()) + " bytes came back as " +
                         std::to_string(c->received.size()) + " bytes" +
                         (c->received.size() == sent.size() ? " (corrupted)" : ""));
  }
  return Verdict::pass("RSS growth " + std::to_string(growthKb) + " KiB; " +
                       std::to_string(sent.size() >> 20) + " MiB echoed intact");
}

Verdict stopWithPending(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(40));
  ClientSet clients(env.reactor, env.port);
  auto c = connected(d, clients);
  if (!c->open()) return Verdict::fail("connect: " + c->reason.describe());
  c->transport->pauseProducing();
  std::string sent = pushUntilStall(d, env, *c, 8u << 20, 1024, 0.3, [] {});
  if (!c->open()) return Verdict::fail("connection lost early: " + c->reason.describe());
  // Replies are now queued in the server (and the kernel); stop it and read them all.
  if (!requestStop(env.serverPid)) return Verdict::fail("cannot ask the server to stop");
  c->transport->resumeProducing();
  if (!d.waitFor([&] { return c->done(); }, 30)) {
    return Verdict::fail(std::string("server did not close after ") + kStopRequestName + " (" +
                         std::to_string(c->received.size()) + " bytes received)");
  }
  // What the server owed: every message it had read when it was asked to stop. It writes
  // the stop line before it drains, so it is in its log once the connection has closed.
  auto report = readStopReport(env.serverLog);
  if (!report) {
    return Verdict::fail("the server wrote no stop line (what it had read) before closing");
  }
  size_t got = c->received.size();
  if (sent.compare(0, got, c->received) != 0) return Verdict::fail("replies corrupted");
  bool bytes = env.wire.wire == Wire::Echo;
  uint64_t replies = got;
  if (!bytes) {
    FrameSplitter split(env.wire);
    split.feed(c->received);
    replies = 0;
    while (split.next()) ++replies;
    if (split.buffered() != 0) {
      return Verdict::fail("close cut a reply short (" + std::to_string(split.buffered()) +
                           " stray bytes); " + c->reason.describe());
    }
  }
  std::string unit = bytes ? " bytes" : " replies";
  std::string owed = std::to_string(report->messages) + (bytes ? " bytes" : " messages");
  if (report->messages == 0) return Verdict::fail("the server had read nothing when stopped");
  if (replies < report->messages) {
    return Verdict::fail("server had read " + owed + " when stopped, but delivered " +
                         std::to_string(replies) + unit + " before closing (" +
                         c->reason.describe() + ")");
  }
  if (!c->reason.clean()) {
    return Verdict::fail("unclean close after " + std::to_string(replies) + unit + ": " +
                         c->reason.describe());
  }
  return Verdict::pass(std::to_string(replies) + unit + " for " + owed +
                       " read at the stop, then a clean close");
}

}  // namespace weft::harness
