// A line server with three commands: `hello`, `goodbye` (then close) and `write: <text>`,
// which appends the text to the file the operator named with --file at start-up. Clients
// choose only the text, never the file, and cannot run anything: there is no other command.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>

#include "example_support.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace {

constexpr size_t kMaxLine = 1024;  // bounds what one client can make us buffer or write

class CommandProtocol : public weft::LineReceiver {
 public:
  explicit CommandProtocol(std::ofstream& file) : LineReceiver("\r\n", kMaxLine), file_(file) {}

  void lineReceived(std::string_view line) override {
    if (line == "hello") {
      sendLine("Hello there!");
    } else if (line == "goodbye") {
      sendLine("Goodbye!");
      transport->loseConnection();  // flushes "Goodbye!" first
    } else if (line.starts_with("write:")) {
      save(line.substr(6));
    } else {
      sendLine("Unknown command (try hello, goodbye or write: <text>)");
    }
  }

  void lineLengthExceeded(std::string_view) override {
    sendLine("Line too long (at most 1024 bytes)");
    transport->loseConnection();
  }

 private:
  void save(std::string_view text) {
    if (text.starts_with(' ')) text.remove_prefix(1);
    // One message, one line in the file: a lone CR or LF inside a CRLF-delimited line (or
    // any other control byte) could otherwise forge extra lines.
    bool clean = std::none_of(text.begin(), text.end(), [](char c) {
      return static_cast<unsigned char>(c) < ' ' || c == 127;
    });
    if (!clean) {
      sendLine("Message refused: control characters");
      return;
    }
    file_ << text << '\n';
    file_.flush();  // the operator may be tailing the file
    sendLine(file_ ? "Message saved!" : "Message not saved: write failed");
  }

  std::ofstream& file_;
};

class CommandFactory : public weft::Factory {
 public:
  explicit CommandFactory(std::ofstream& file) : file_(file) {}
  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<CommandProtocol>(file_);
  }

 private:
  std::ofstream& file_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "command_server",
                               .summary = "answers hello / goodbye / write: <text> (appended "
                                          "to the --file chosen here)",
                               .defaultPort = 8000,
                               .values = {"file"}});
  std::string path = options.value("file");
  if (path.empty()) {
    std::cerr << "command_server: --file PATH is required (where write: messages go)\n";
    return kExitUsage;
  }
  // Opened once, before any client connects: the path is the operator's choice alone.
  std::ofstream file(path, std::ios::app);
  if (!file) {
    std::cerr << "command_server: cannot open " << path << " for appending\n";
    return kExitFailure;
  }
  auto reactor = openReactor(options);
  CommandFactory factory(file);
  auto port = listenAndAnnounce(*reactor, options, options.port, factory);
  return serveForever(*reactor);
}
