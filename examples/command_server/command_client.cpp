// The "reactor thread" pattern: the reactor runs on a background thread and owns every
// connection; the main thread reads commands from stdin and hands each one over with
// callFromThread, the only thread-safe way in. Nothing else crosses threads. (Qt insists on
// the main thread for its loop, so under --reactor qt the two threads trade places.)
//
// Commands: any line is sent to the server; `reconnect` drops the connection (if any) and
// connects again; `quit` (or end of input) stops the reactor and exits.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "example_support.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace {

using weft::examples::say;

class CommandClientFactory;

class CommandClient : public weft::LineReceiver {
 public:
  explicit CommandClient(CommandClientFactory& factory) : factory_(factory) {}
  void connectionMade() override;
  void connectionLost(const weft::Reason& reason) override;
  void lineReceived(std::string_view line) override { say("server: " + std::string(line)); }

 private:
  CommandClientFactory& factory_;
};

// Lives on the reactor thread: every member is touched only there.
class CommandClientFactory : public weft::ClientFactory {
 public:
  explicit CommandClientFactory(weft::Reactor& reactor) : reactor_(reactor) {}

  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<CommandClient>(*this);
  }
  void clientConnectionFailed(weft::Connector&, const weft::Reason& reason) override {
    say("connection failed: " + reason.describe());
  }
  void clientConnectionLost(weft::Connector& connector, const weft::Reason& reason) override {
    say("disconnected: " + reason.describe());
    if (reconnectWanted_) {
      reconnectWanted_ = false;
      connector.connect();
    }
  }

  void start(const std::string& host, uint16_t port) {
    connector_ = reactor_.connectTCP(host, port, *this, weft::Duration(10));
  }

  void command(const std::string& line) {
    if (line == "quit") {
      stopReactor();
    } else if (line == "reconnect") {
      reconnect();
    } else if (current_) {
      current_->sendLine(line);
    } else {
      say("not connected (type reconnect)");
    }
  }

  void stopReactor() {
    try {
      reactor_.stop();
    } catch (const weft::Error&) {
      // Already stopping (e.g. SIGTERM arrived first): nothing more to do.
    }
  }

  CommandClient* current_ = nullptr;  // the live connection's protocol, if any

 private:
  void reconnect() {
    if (current_) {
      reconnectWanted_ = true;  // connect again once clientConnectionLost reports the close
      connector_->disconnect();
    } else if (connector_->state() == weft::Connector::State::Disconnected) {
      connector_->connect();
    } else {
      say("already connecting");
    }
  }

  weft::Reactor& reactor_;
  std::shared_ptr<weft::Connector> connector_;
  bool reconnectWanted_ = false;
};

void CommandClient::connectionMade() {
  factory_.current_ = this;
  say("connected to " + transport->getPeer().toString());
}

void CommandClient::connectionLost(const weft::Reason&) {
  factory_.current_ = nullptr;
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
  CommandClientFactory factory(*reactor);
  reactor->callWhenRunning([&] { factory.start(options.host, options.port); });
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
      reactor->callFromThread([&factory, line = std::move(line)] { factory.command(line); });
    });
    reactor->callFromThread([&factory] { factory.stopReactor(); });  // end of input
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
