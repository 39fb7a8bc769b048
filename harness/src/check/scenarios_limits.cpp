// Scenarios about bad peers: the offending connection is closed, every other one is served.
#include "check/probe.hpp"
#include "check/scenario.hpp"

namespace weft::harness {

namespace {

std::shared_ptr<ConnState> connected(Driver& d, ClientSet& clients) {
  auto c = clients.connect();
  d.waitFor([&] { return c->made || c->done(); }, 10);
  return c;
}

// One round trip on `c`: the connection is still served.
std::string roundTrip(Driver& d, ScenarioEnv& env, ConnState& c, const std::string& msg) {
  if (!c.open()) return "connection not open: " + c.reason.describe();
  size_t before = c.received.size();
  c.write(frame(env.wire, msg));
  std::string want = frame(env.wire, msg);
  d.waitFor([&] { return c.done() || c.received.size() >= before + want.size(); }, 10);
  if (c.received.compare(before, std::string::npos, want) != 0) {
    return "no echo (" + std::to_string(c.received.size() - before) + " bytes back" +
           (c.lost ? ", lost: " + c.reason.describe() : std::string()) + ")";
  }
  return "";
}

// `bad` sends `offence` (in pieces of `chunk` bytes if nonzero) and must be closed by the
// server; `good`, connected before and after, must keep being served.
Verdict offenderIsolated(ScenarioEnv& env, const std::string& offence, size_t chunk = 0) {
  Driver d(env.reactor, env.budget(30));
  ClientSet clients(env.reactor, env.port);
  auto good = connected(d, clients);
  auto bad = connected(d, clients);
  if (auto p = roundTrip(d, env, *good, "before"); !p.empty()) return Verdict::fail(p);
  if (!bad->open()) return Verdict::fail("connect: " + bad->reason.describe());
  if (chunk == 0) chunk = offence.size();
  for (size_t at = 0; at < offence.size() && bad->open(); at += chunk) {
    bad->write(std::string_view(offence).substr(at, chunk));
    d.idle(0.005);
  }
  if (!d.waitFor([&] { return bad->done(); }, 10)) {
    return Verdict::fail("offending connection still open after 10 s");
  }
  if (auto p = roundTrip(d, env, *good, "after"); !p.empty()) {
    return Verdict::fail("other connection: " + p);
  }
  auto fresh = connected(d, clients);
  if (auto p = roundTrip(d, env, *fresh, "fresh"); !p.empty()) {
    return Verdict::fail("new connection: " + p);
  }
  return Verdict::pass("offender closed (" + bad->reason.describe() + "), others served");
}

}  // namespace

Verdict maxLengthViolation(ScenarioEnv& env) {
  // The server runs with --max-length 100; a complete 300-byte message arrives in one write.
  return offenderIsolated(env, frame(env.wire, payloadOf(3, 300)));
}

Verdict lineTooLong(ScenarioEnv& env) {
  // No delimiter ever: the server must give up at its limit, not buffer forever.
  return offenderIsolated(env, payloadOf(4, 4000), 50);
}

Verdict malformedNetstring(ScenarioEnv& env) {
  Verdict v = offenderIsolated(env, "12x:hello,");
  if (!v.ok) return Verdict::fail("bad length digit: " + v.detail);
  v = offenderIsolated(env, "5:hello!");
  if (!v.ok) return Verdict::fail("missing comma: " + v.detail);
  return Verdict::pass("bad digit and missing comma both closed; others served");
}

Verdict resetMidMessage(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(30));
  ClientSet clients(env.reactor, env.port);
  auto good = connected(d, clients);
  auto bad = connected(d, clients);
  if (!bad->open()) return Verdict::fail("connect: " + bad->reason.describe());
  std::string half = frame(env.wire, payloadOf(5, 3000));
  half.resize(half.size() / 2);
  bad->write(half);
  d.waitFor([&] { return !bad->open() || bad->transport->bufferedBytes() == 0; }, 5);
  d.idle(0.02);
  if (bad->open()) bad->transport->abortConnection();
  d.waitFor([&] { return bad->done(); }, 5);
  d.idle(0.05);
  if (auto p = roundTrip(d, env, *good, "still-here"); !p.empty()) {
    return Verdict::fail("other connection: " + p);
  }
  auto fresh = connected(d, clients);
  if (auto p = roundTrip(d, env, *fresh, "fresh"); !p.empty()) {
    return Verdict::fail("new connection: " + p);
  }
  return Verdict::pass("server survived the RST");
}

}  // namespace weft::harness
