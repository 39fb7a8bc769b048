// IntNStringReceiver, every prefix format: every split yields the same strings and the same
// lengthLimitExceeded calls, including when the limit is ignored (the #8105 skip path).
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"
#include "weft/testing/string_transport.hpp"

namespace {

const weft::PrefixFormat kFormats[] = {weft::PrefixFormat::U8, weft::PrefixFormat::U16BE,
                                       weft::PrefixFormat::U16LE, weft::PrefixFormat::U32BE,
                                       weft::PrefixFormat::U32LE};
const size_t kMaxLengths[] = {0, 10, 300, 99999};

class Collector : public weft::IntNStringReceiver {
 public:
  Collector(weft::PrefixFormat f, size_t max, bool keep)
      : IntNStringReceiver(f, max), keep_(keep) {}
  void stringReceived(std::string_view s) override {
    strings.emplace_back(s);
    if (s == "P") pauseProducing();
  }
  void lengthLimitExceeded(size_t length) override {
    limits.push_back(length);
    if (!keep_) IntNStringReceiver::lengthLimitExceeded(length);
  }
  std::vector<std::string> strings;
  std::vector<size_t> limits;

 private:
  bool keep_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  weft::fuzz::Input in;
  if (!weft::fuzz::parse(data, size, in)) return 0;
  const auto format = kFormats[(in.config & 7) % 5];
  const size_t maxLength = kMaxLengths[(in.config >> 3) & 3];
  const bool keep = in.config & 0x20;
  weft::testing::StringTransport t1, t2;
  Collector whole(format, maxLength, keep), chunked(format, maxLength, keep);
  whole.makeConnection(t1);
  chunked.makeConnection(t2);
  whole.dataReceived(in.stream);
  while (whole.paused()) whole.resumeProducing();
  weft::fuzz::feedChunked(in.stream, in.seed, [&](std::string_view c) {
    chunked.dataReceived(c);
    if (in.config & 0x40) {
      while (chunked.paused()) chunked.resumeProducing();
    }
  });
  while (chunked.paused()) chunked.resumeProducing();
  if (whole.strings != chunked.strings) weft::fuzz::mismatch("strings");
  if (whole.limits != chunked.limits) weft::fuzz::mismatch("limits");
  for (auto& s : whole.strings) {
    if (s.size() > maxLength) weft::fuzz::mismatch("over-long string delivered");
  }
  return 0;
}
