// Twisted's chat server: a LineReceiver with two states. GetName asks "What's your name?"
// until the client picks a free one; Chat relays each line as "<name> text" to everyone else.
// Joins and leaves are announced to the others as "* name has joined" / "* name has left".
#include <algorithm>
#include <map>
#include <string>

#include "example_support.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace {

constexpr size_t kMaxLine = 1024;  // a client cannot make us buffer more than this
constexpr size_t kMaxName = 32;

class ChatProtocol;
// name -> protocol; the protocols are owned by their transports and remove themselves in
// connectionLost, so every pointer here is live.
using Users = std::map<std::string, ChatProtocol*, std::less<>>;

class ChatProtocol : public weft::LineReceiver {
 public:
  explicit ChatProtocol(Users& users) : LineReceiver("\r\n", kMaxLine), users_(users) {}

  void connectionMade() override { sendLine("What's your name?"); }

  void connectionLost(const weft::Reason&) override {
    if (state_ != State::Chat) return;
    users_.erase(name_);
    broadcast("* " + name_ + " has left");
  }

  void lineReceived(std::string_view line) override {
    if (state_ == State::GetName)
      handleName(line);
    else
      broadcast("<" + name_ + "> " + std::string(line));
  }

 private:
  enum class State { GetName, Chat };

  static bool validName(std::string_view name) {
    return !name.empty() && name.size() <= kMaxName &&
           std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
  }

  void handleName(std::string_view name) {
    if (!validName(name)) {
      sendLine("Names are 1 to 32 printable characters without spaces. What's your name?");
      return;
    }
    if (users_.contains(name)) {
      sendLine("Name taken, please choose another.");
      return;
    }
    name_ = name;
    users_.emplace(name_, this);
    state_ = State::Chat;
    sendLine("Welcome, " + name_ + "!");
    broadcast("* " + name_ + " has joined");
  }

  void broadcast(const std::string& message) {
    for (auto& [name, user] : users_)
      if (user != this) user->sendLine(message);
  }

  Users& users_;
  State state_ = State::GetName;
  std::string name_;
};

class ChatFactory : public weft::Factory {
 public:
  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<ChatProtocol>(users_);
  }

 private:
  Users users_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "chat_server",
                               .summary = "a line-based chat room (CRLF lines)",
                               .defaultPort = 8123});
  auto reactor = openReactor(options);
  ChatFactory factory;
  auto port = listenAndAnnounce(*reactor, options, options.port, factory);
  return serveForever(*reactor);
}
