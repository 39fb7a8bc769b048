// LineReceiver: split invariance in line mode, then a second pass that drives raw mode,
// pausing, re-entrancy and clearLineBuffer from the stream's own contents.
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/testing/string_transport.hpp"

namespace {

const char* const kDelimiters[] = {"\r\n", "\n", "<END>", "aab"};
const size_t kMaxLengths[] = {0, 4, 16, 16384};

class Collector : public weft::LineReceiver {
 public:
  using LineReceiver::LineReceiver;
  void lineReceived(std::string_view line) override { lines.emplace_back(line); }
  void lineLengthExceeded(std::string_view line) override {
    ++exceeded;
    LineReceiver::lineLengthExceeded(line);
  }
  std::vector<std::string> lines;
  int exceeded = 0;
};

// Reacts to the first byte of each line, like Twisted's LineTester.
class Driven : public weft::LineReceiver {
 public:
  using LineReceiver::LineReceiver;
  void lineReceived(std::string_view line) override {
    if (line.empty()) return;
    switch (line[0]) {
      case 'R':
        setRawMode();
        break;
      case 'P':
        pauseProducing();
        break;
      case 'I':
        if (injections++ < 64) dataReceived(line.substr(1));
        break;
      case 'C':
        (void)clearLineBuffer();
        break;
      case 'S':
        setLineMode(line.substr(1));
        break;
      case 'M':
        maxLength = static_cast<unsigned char>(line.size() > 1 ? line[1] : 0);
        break;
      case 'Q':
        transport->loseConnection();
        break;
      default:
        break;
    }
    total += line.size();
  }
  void rawDataReceived(std::string_view data) override {
    total += data.size();
    auto bar = data.find('|');
    if (bar != std::string_view::npos) setLineMode(data.substr(bar + 1));
  }
  void lineLengthExceeded(std::string_view line) override {
    total += line.size();
    if (line.size() > 2) setLineMode(line.substr(line.size() / 2));  // never disconnects
  }
  size_t total = 0;
  int injections = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  weft::fuzz::Input in;
  if (!weft::fuzz::parse(data, size, in)) return 0;
  const char* delimiter = kDelimiters[in.config & 3];
  const size_t maxLength = kMaxLengths[(in.config >> 2) & 3];

  weft::testing::StringTransport t1, t2;
  Collector whole(delimiter, maxLength), chunked(delimiter, maxLength);
  whole.makeConnection(t1);
  chunked.makeConnection(t2);
  whole.dataReceived(in.stream);
  weft::fuzz::feedChunked(in.stream, in.seed, [&](std::string_view c) { chunked.dataReceived(c); });
  // After an over-long line the argument depends on chunking (as in Twisted); the lines before
  // it, and whether it happens, do not.
  if (whole.lines != chunked.lines) weft::fuzz::mismatch("lines");
  if ((whole.exceeded > 0) != (chunked.exceeded > 0)) weft::fuzz::mismatch("exceeded");

  weft::testing::StringTransport t3;
  Driven driven(delimiter, maxLength);
  driven.makeConnection(t3);
  weft::fuzz::feedChunked(in.stream, in.seed, [&](std::string_view c) {
    driven.dataReceived(c);
    if (driven.paused() && (in.config & 0x40)) driven.resumeProducing();
  });
  driven.resumeProducing();
  return 0;
}
