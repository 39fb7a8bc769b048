// NetstringReceiver: every split yields the same strings and the same verdict.
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "weft/protocols/netstring_receiver.hpp"
#include "weft/testing/string_transport.hpp"

namespace {

const size_t kMaxLengths[] = {0, 1, 12, 50, 99999, 1000000, 1, 11};

class Collector : public weft::NetstringReceiver {
 public:
  using NetstringReceiver::NetstringReceiver;
  void stringReceived(std::string_view s) override { strings.emplace_back(s); }
  void netstringParseError(std::string_view why) override {
    ++errors;
    NetstringReceiver::netstringParseError(why);
  }
  std::vector<std::string> strings;
  int errors = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  weft::fuzz::Input in;
  if (!weft::fuzz::parse(data, size, in)) return 0;
  const size_t maxLength = kMaxLengths[in.config & 7];
  weft::testing::StringTransport t1, t2;
  Collector whole(maxLength), chunked(maxLength);
  whole.makeConnection(t1);
  chunked.makeConnection(t2);
  whole.dataReceived(in.stream);
  weft::fuzz::feedChunked(in.stream, in.seed, [&](std::string_view c) { chunked.dataReceived(c); });
  if (whole.strings != chunked.strings) weft::fuzz::mismatch("strings");
  if (whole.errors != chunked.errors) weft::fuzz::mismatch("errors");
  if (whole.errors > 1) weft::fuzz::mismatch("more than one parse error");
  return 0;
}
