// A memcached-like cache over CRLF lines. Every command is one line, every reply one line
// (except `items`, which ends with END):
//   version              VERSION kvcache 1.0
//   count                COUNT <n>
//   clear                CLEARED
//   items                ITEM <key> ... END          (sorted by key)
//   status               STATUS items=.. gets=.. hits=.. misses=.. sets=.. deletes=..
//   connections=.. get <key>            VALUE <key> <value> | NOT_FOUND set <key> <value>    STORED
//   | SERVER_ERROR cache full   (value: rest of line, may hold spaces) delete <key>         DELETED
//   | NOT_FOUND anything else        ERROR <why>
// Bounded: lines (so values) up to 4096 bytes, keys up to 250 printable bytes, --max-items
// entries; a client can only read and write the cache, nothing on the machine.
#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <string>

#include "example_support.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace {

constexpr size_t kMaxLine = 4096;
constexpr size_t kMaxKey = 250;  // memcached's limit

struct Cache {
  std::map<std::string, std::string, std::less<>> items;
  size_t maxItems = 10000;
  uint64_t gets = 0, hits = 0, misses = 0, sets = 0, deletes = 0;
  int connections = 0;
};

bool validKey(std::string_view key) {
  return !key.empty() && key.size() <= kMaxKey &&
         std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 127; });
}

// Splits "word rest" at the first space; rest is empty when there is none.
std::pair<std::string_view, std::string_view> splitWord(std::string_view line) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

class KvProtocol : public weft::LineReceiver {
 public:
  explicit KvProtocol(Cache& cache) : LineReceiver("\r\n", kMaxLine), cache_(cache) {}

  void connectionMade() override { ++cache_.connections; }
  void connectionLost(const weft::Reason&) override { --cache_.connections; }

  void lineReceived(std::string_view line) override {
    auto [command, args] = splitWord(line);
    if (command == "version" && args.empty()) {
      sendLine("VERSION kvcache 1.0");
    } else if (command == "count" && args.empty()) {
      sendLine("COUNT " + std::to_string(cache_.items.size()));
    } else if (command == "clear" && args.empty()) {
      cache_.items.clear();
      sendLine("CLEARED");
    } else if (command == "items" && args.empty()) {
      for (const auto& [key, value] : cache_.items) sendLine("ITEM " + key);
      sendLine("END");
    } else if (command == "status" && args.empty()) {
      sendStatus();
    } else if (command == "get" || command == "delete") {
      if (!validKey(args)) return sendLine("ERROR bad key");
      command == "get" ? get(args) : erase(args);
    } else if (command == "set") {
      auto [key, value] = splitWord(args);
      if (!validKey(key)) return sendLine("ERROR bad key");
      set(key, value);
    } else {
      sendLine("ERROR unknown command or wrong arguments");
    }
  }

  void lineLengthExceeded(std::string_view) override {
    sendLine("ERROR line too long");
    transport->loseConnection();
  }

 private:
  void get(std::string_view key) {
    ++cache_.gets;
    auto it = cache_.items.find(key);
    if (it == cache_.items.end()) {
      ++cache_.misses;
      return sendLine("NOT_FOUND");
    }
    ++cache_.hits;
    sendLine("VALUE " + it->first + " " + it->second);
  }

  void set(std::string_view key, std::string_view value) {
    auto it = cache_.items.find(key);
    if (it == cache_.items.end() && cache_.items.size() >= cache_.maxItems)
      return sendLine("SERVER_ERROR cache full");
    ++cache_.sets;
    if (it == cache_.items.end())
      cache_.items.emplace(key, value);
    else
      it->second = value;
    sendLine("STORED");
  }

  void erase(std::string_view key) {
    auto it = cache_.items.find(key);
    if (it == cache_.items.end()) return sendLine("NOT_FOUND");
    cache_.items.erase(it);
    ++cache_.deletes;
    sendLine("DELETED");
  }

  void sendStatus() {
    sendLine("STATUS items=" + std::to_string(cache_.items.size()) +
             " gets=" + std::to_string(cache_.gets) + " hits=" + std::to_string(cache_.hits) +
             " misses=" + std::to_string(cache_.misses) + " sets=" + std::to_string(cache_.sets) +
             " deletes=" + std::to_string(cache_.deletes) +
             " connections=" + std::to_string(cache_.connections));
  }

  Cache& cache_;
};

class KvFactory : public weft::Factory {
 public:
  explicit KvFactory(size_t maxItems) { cache_.maxItems = maxItems; }
  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<KvProtocol>(cache_);
  }

 private:
  Cache cache_;  // shared by every connection; all on the reactor thread, so no lock
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "kvcache_server",
                               .summary = "a memcached-like key/value cache over CRLF lines",
                               .defaultPort = 11311,
                               .values = {"max-items"}});
  size_t maxItems = 10000;
  if (auto text = options.value("max-items"); !text.empty()) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), maxItems);
    if (ec != std::errc() || end != text.data() + text.size()) {
      std::cerr << "kvcache_server: --max-items needs a number\n";
      return kExitUsage;
    }
  }
  auto reactor = openReactor(options);
  KvFactory factory(maxItems);
  auto port = listenAndAnnounce(*reactor, options, options.port, factory);
  return serveForever(*reactor);
}
