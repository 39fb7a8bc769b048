// LineOnlyReceiver: every split of the stream yields the same lines.
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "weft/protocols/line_only_receiver.hpp"
#include "weft/testing/string_transport.hpp"

namespace {

const char* const kDelimiters[] = {"\r\n", "\n", "<END>", "aab"};
const size_t kMaxLengths[] = {0, 4, 16, 16384};

class Collector : public weft::LineOnlyReceiver {
 public:
  using LineOnlyReceiver::LineOnlyReceiver;
  void lineReceived(std::string_view line) override { lines.emplace_back(line); }
  void lineLengthExceeded(std::string_view line) override {
    ++exceeded;
    LineOnlyReceiver::lineLengthExceeded(line);
  }
  std::vector<std::string> lines;
  int exceeded = 0;
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
  if (whole.lines != chunked.lines) weft::fuzz::mismatch("lines");
  if ((whole.exceeded > 0) != (chunked.exceeded > 0)) weft::fuzz::mismatch("exceeded");
  return 0;
}
