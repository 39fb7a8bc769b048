// Client-side tools for scenarios: connections whose state outlives their Protocol object,
// and a driver that iterates the reactor until a condition holds or a deadline passes.
// Scenarios read top to bottom as scripts; the reactor is iterated, never run/stopped, so
// connections survive between steps.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "weft/errors.hpp"
#include "weft/protocol.hpp"
#include "weft/reactor.hpp"

namespace weft::harness {

struct ConnState {
  std::string received;
  bool made = false;
  bool lost = false;               // connectionLost ran
  bool failed = false;             // clientConnectionFailed ran
  Reason reason;                   // why it was lost or failed
  Transport* transport = nullptr;  // valid while made && !lost

  bool open() const { return made && !lost; }
  bool done() const { return lost || failed; }
  void write(std::string_view data) {
    if (transport) transport->write(data);
  }
};

class ClientSet {
 public:
  ClientSet(Reactor& r, uint16_t port) : reactor_(r), port_(port) {}
  // Starts connecting; the state fills in as the reactor is iterated.
  std::shared_ptr<ConnState> connect(double timeoutSeconds = 10);
  size_t size() const { return factories_.size(); }

 private:
  Reactor& reactor_;
  uint16_t port_;
  std::vector<std::unique_ptr<ClientFactory>> factories_;  // outlive their connections
};

class Driver {
 public:
  Driver(Reactor& r, double budgetSeconds);
  // Iterates until pred() holds (true) or `maxSeconds`/the overall budget runs out (false).
  bool waitFor(const std::function<bool()>& pred, double maxSeconds = 1e9);
  // Keeps the loop turning for a while (lets the peer act).
  void idle(double seconds);
  bool expired() const;

 private:
  Reactor& reactor_;
  double deadline_;
};

}  // namespace weft::harness
