// The "reactor thread" pattern, the Deferred way: the reactor runs on a background thread and
// owns every connection; the main thread reads commands from stdin and hands each one over
// with deferredFromThread (callFromThread underneath, the only thread-safe way in). On the
// reactor thread a command returns a Deferred that fires with the server's reply; the main
// thread waits for it before reading the next command. Connecting goes through an endpoint,
// whose Deferred fires with the connected protocol. (Qt insists on the main thread for its
// loop, so under --reactor qt the two threads trade places.)
//
// Commands: any line is sent to the server; `reconnect` drops the connection (if any) and
// connects again; `quit` (or end of input) stops the reactor and exits.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <stdexcept>
#include <string>
#include <thread>

#include "example_support.hpp"
#include "weft/blocking_call.hpp"
#include "weft/deferred_reactor.hpp"
#include "weft/endpoints.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace {

using weft::examples::say;

struct NotConnected : std::runtime_error {
  NotConnected() : std::runtime_error("not connected") {}
};

class CommandSession;

class CommandClient : public weft::LineReceiver {
 public:
  explicit CommandClient(CommandSession& session) : session_(session) {}
  void connectionMade() override;
  void lineReceived(std::string_view line) override;
  void connectionLost(const weft::Reason& reason) override;

 private:
  CommandSession& session_;
};

// Lives on the reactor thread: every member is touched only there.
class CommandSession : public weft::Factory {
 public:
  CommandSession(weft::Reactor& reactor, const std::string& host, uint16_t port)
      : reactor_(reactor), endpoint_(reactor, host, port, weft::Duration(10)) {}

  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<CommandClient>(*this);
  }

  void connect() {
    connecting_ = true;
    endpoint_.connect(*this).addCallbacks([this](weft::Protocol*) { connecting_ = false; },
                                          [this](const weft::Failure& f) {
                                            connecting_ = false;
                                            say("connection failed: " + f.message());
                                          });
  }

  // One command; the Deferred fires with the server's reply line (or "" for local commands).
  weft::Deferred<std::string> command(const std::string& line) {
    if (line == "quit") {
      stopReactor();
    } else if (line == "reconnect") {
      reconnect();
    } else if (current_) {
      weft::Deferred<std::string> reply;
      pending_.push_back(reply);
      current_->sendLine(line);
      // A server that never answers must not hold the caller forever.
      return weft::addTimeout(reply, weft::Duration(10), reactor_);
    } else {
      return weft::fail<std::string>(weft::Failure(NotConnected()));
    }
    return weft::succeed(std::string());
  }

  void stopReactor() {
    try {
      reactor_.stop();
    } catch (const weft::Error&) {
      // Already stopping (e.g. SIGTERM arrived first): nothing more to do.
    }
  }

  // From the protocol.
  void connected(CommandClient* c) { current_ = c; }
  void replied(std::string_view line) {
    if (pending_.empty()) return;  // e.g. a reply to a command whose wait timed out
    auto d = std::move(pending_.front());
    pending_.pop_front();
    d.callback(std::string(line));
  }
  void lost(const weft::Reason& reason) {
    current_ = nullptr;
    say("disconnected: " + reason.describe());
    for (auto& d : std::exchange(pending_, {})) d.errback(weft::Failure(weft::Error(reason)));
    if (std::exchange(reconnectWanted_, false)) connect();
  }

 private:
  void reconnect() {
    if (current_) {
      reconnectWanted_ = true;  // connect again once the close is reported
      current_->transport->loseConnection();
    } else if (!connecting_) {
      connect();
    } else {
      say("already connecting");
    }
  }

  weft::Reactor& reactor_;
  weft::TCPClientEndpoint endpoint_;
  CommandClient* current_ = nullptr;  // the live connection's protocol, if any
  std::deque<weft::Deferred<std::string>> pending_;  // replies owed, oldest first
  bool connecting_ = false;
  bool reconnectWanted_ = false;
};

void CommandClient::connectionMade() {
  session_.connected(this);
  say("connected to " + transport->getPeer().toString());
}

void CommandClient::lineReceived(std::string_view line) {
  say("server: " + std::string(line));
  session_.replied(line);
}

void CommandClient::connectionLost(const weft::Reason& reason) {
  session_.lost(reason);
}

// Reads stdin line by line, giving up when `stop` becomes true (the reactor ended on its
// own, e.g. SIGTERM), so the main thread never stays blocked in read().
template <class OnLine>
void readLines(const std::atomic<bool>& stop, OnLine onLine) {
  std::string pending;
  char buf[4096];
  while (!stop.load()) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) return;  // end of input
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      std::string line = pending.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      onLine(std::move(line));
    }
  }
}

// SIGINT/SIGTERM must reach the thread that runs the reactor: its handler records the signal
// for the loop, and doing that from another thread would race with the loop reading it.
void blockStopSignals(bool block) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "command_client",
                               .summary = "sends each stdin line to a command_server "
                                          "(reconnect, quit are local)",
                               .defaultPort = 8000});
  auto reactor = openReactor(options);
  CommandSession session(*reactor, options.host, options.port);
  reactor->callWhenRunning([&] { session.connect(); });
  reactor->installSignalHandlers();

  std::atomic<bool> reactorDone{false};
  blockStopSignals(true);  // inherited by the thread started below
  auto runReactor = [&] {
    blockStopSignals(false);
    reactor->run();
    reactorDone = true;
  };
  auto readCommands = [&] {
    readLines(reactorDone, [&](std::string line) {
      auto reply =
          weft::deferredFromThread(*reactor, [&session, line] { return session.command(line); });
      // Wait for the reply, but never past the reactor's end (SIGTERM while waiting).
      while (reply.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        if (reactorDone.load()) return;
      }
      try {
        reply.get();  // printed on the reactor thread as it arrived
      } catch (const NotConnected&) {
        say("not connected (type reconnect)");
      } catch (const std::exception& e) {
        say(std::string("no reply: ") + e.what());
      }
    });
    reactor->callFromThread([&session] { session.stopReactor(); });  // end of input
  };
  if (reactor->name() == "qt") {
    // Qt's notifiers and timers work only on the thread that owns the QCoreApplication (the
    // main thread here), so with Qt the roles swap: the reactor keeps the main thread and
    // stdin is read on the background one. Commands still cross through callFromThread.
    std::thread input(readCommands);
    runReactor();
    input.join();
  } else {
    std::thread reactorThread(runReactor);
    readCommands();
    reactorThread.join();
  }
  return kExitOk;
}
