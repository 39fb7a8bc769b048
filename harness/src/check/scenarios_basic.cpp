// Scenarios about delivery: chunking, coalescing, size, half-close, refusal.
#include "check/probe.hpp"
#include "check/scenario.hpp"
#include "common/reserved_port.hpp"

namespace weft::harness {

namespace {

std::string frames(const WireFormat& f, const std::vector<std::string>& msgs) {
  std::string out;
  for (const auto& m : msgs) appendFrame(out, f, m);
  return out;
}

// Waits for every reply (or the connection's end) and judges the stream.
Verdict awaitReplies(Driver& d, ScenarioEnv& env, ConnState& c,
                     const std::vector<std::string>& sent, double seconds) {
  size_t want = frames(env.wire, sent).size();  // the replies' bytes, framing included
  // Once as many bytes as were sent are back, more can only be extra: judge then, so a server
  // that corrupts or reorders fails at once instead of at the deadline.
  d.waitFor([&] { return c.done() || c.received.size() >= want; }, seconds);
  std::string problem = expectReplies(env.wire, sent, c.received);
  if (!problem.empty()) {
    if (c.lost) problem += "; connection lost: " + c.reason.describe();
    if (c.failed) problem = "connect failed: " + c.reason.describe();
    return Verdict::fail(problem);
  }
  return Verdict::pass(std::to_string(sent.size()) + " replies");
}

std::shared_ptr<ConnState> connected(Driver& d, ClientSet& clients) {
  auto c = clients.connect();
  d.waitFor([&] { return c->made || c->done(); }, 10);
  return c;
}

}  // namespace

Verdict byteAtATime(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(30));
  ClientSet clients(env.reactor, env.port);
  auto c = connected(d, clients);
  if (!c->open()) return Verdict::fail("connect: " + c->reason.describe());
  std::vector<std::string> msgs = {"hello", "a b c", payloadOf(1, 300), "x"};
  std::string bytes = frames(env.wire, msgs);
  for (char b : bytes) {
    c->write(std::string_view(&b, 1));
    // Let each byte leave as its own segment (TCP_NODELAY on both ends).
    d.waitFor([&] { return !c->open() || c->transport->bufferedBytes() == 0; }, 1);
    d.idle(0.0002);
    if (!c->open()) break;
  }
  return awaitReplies(d, env, *c, msgs, 10);
}

Verdict coalesced(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(30));
  ClientSet clients(env.reactor, env.port);
  auto c = connected(d, clients);
  if (!c->open()) return Verdict::fail("connect: " + c->reason.describe());
  std::vector<std::string> msgs;
  for (size_t i = 0; i < 1000; ++i) msgs.push_back(payloadOf(i, 1 + i % 50));
  c->write(frames(env.wire, msgs));
  return awaitReplies(d, env, *c, msgs, 20);
}

Verdict hugeMessage(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(60));
  ClientSet clients(env.reactor, env.port);
  auto c = connected(d, clients);
  if (!c->open()) return Verdict::fail("connect: " + c->reason.describe());
  std::vector<std::string> msgs = {payloadOf(7, 16 * 1024 * 1024), "after"};
  c->write(frames(env.wire, msgs));
  return awaitReplies(d, env, *c, msgs, 50);
}

Verdict halfClose(ScenarioEnv& env) {
  Driver d(env.reactor, env.budget(30));
  ClientSet clients(env.reactor, env.port);
  auto c = connected(d, clients);
  if (!c->open()) return Verdict::fail("connect: " + c->reason.describe());
  std::vector<std::string> msgs;
  for (size_t i = 0; i < 10; ++i) msgs.push_back(payloadOf(i, 2000));
  c->write(frames(env.wire, msgs));
  c->transport->loseWriteConnection();
  // The server must answer everything it read, then close its side.
  if (!d.waitFor([&] { return c->done(); }, 20)) {
    return Verdict::fail("server did not close after our half-close (" +
                         std::to_string(c->received.size()) + " bytes received)");
  }
  std::string problem = expectReplies(env.wire, msgs, c->received);
  if (!problem.empty()) return Verdict::fail(problem + "; then " + c->reason.describe());
  if (!c->reason.clean()) {
    // Every reply arrived; a reset means the server aborted, anything else means our side
    // misreported the FIN that followed our half-close.
    return Verdict::fail("all 10 replies arrived, but the close was reported as " +
                         c->reason.describe());
  }
  return Verdict::pass("10 replies, then a clean close");
}

Verdict connectionRefused(ScenarioEnv& env) {
  ReservedPort reserved;
  if (!reserved.ok()) return Verdict::fail("cannot reserve a port");
  Driver d(env.reactor, env.budget(20));
  ClientSet clients(env.reactor, reserved.port());
  auto c = clients.connect(5);
  d.waitFor([&] { return c->made || c->done(); }, 15);
  if (c->made) return Verdict::fail("connected to a port nobody listens on");
  if (!c->failed) return Verdict::fail("no clientConnectionFailed within 15 s");
  if (c->reason.kind != ErrorKind::ConnectionRefused) {
    return Verdict::fail("wrong error: " + c->reason.describe());
  }
  return Verdict::pass(c->reason.describe());
}

}  // namespace weft::harness
