#include <algorithm>

#include "check/scenario.hpp"

namespace weft::harness {

WireFormat serveWire(Wire w) {
  WireFormat f;
  f.wire = w;
  f.delimiter = "\r\n";  // `weft serve` defaults: u32le, crlf
  return f;
}

std::string payloadOf(size_t seq, size_t size) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(size, ' ');
  for (size_t i = 0; i < size; ++i) s[i] = alphabet[(seq * 31 + i * 7 + i / 61) % 62];
  return s;
}

bool mayRefuseBeyondFdSetSize(const std::string& reactor, size_t sockets) {
  if (reactor != "select") return false;
#ifdef WEFT_SELECT_FD_SETSIZE
  // Windows: FD_SETSIZE counts sockets (CMake raises it, WEFT_WIN_FD_SETSIZE), and the
  // reactor's own sockets (waker pair, listening socket) count too: leave room for a few.
  return sockets + 8 > WEFT_SELECT_FD_SETSIZE;
#else
  (void)sockets;
  return true;
#endif
}

std::string expectReplies(const WireFormat& f, const std::vector<std::string>& sent,
                          const std::string& received, size_t* complete) {
  size_t good = 0;
  std::string problem;
  if (f.wire == Wire::Echo) {
    // Echo has no frames: the reply stream must equal the request stream.
    std::string all;
    for (const auto& s : sent) all += s;
    size_t n = std::min(all.size(), received.size());
    auto mismatch =
        std::mismatch(all.begin(), all.begin() + static_cast<long>(n), received.begin());
    if (mismatch.first != all.begin() + static_cast<long>(n)) {
      problem = "echoed byte " + std::to_string(mismatch.first - all.begin()) + " differs";
    } else if (received.size() > all.size()) {
      problem = "got " + std::to_string(received.size() - all.size()) + " extra bytes";
    } else if (received.size() < all.size()) {
      problem =
          "got " + std::to_string(received.size()) + " of " + std::to_string(all.size()) + " bytes";
    }
    // Complete replies: the messages echoed in full before the first differing byte.
    size_t matched = static_cast<size_t>(mismatch.first - all.begin());
    size_t at = 0;
    for (const auto& s : sent) {
      if (at + s.size() > matched) break;
      at += s.size();
      ++good;
    }
  } else {
    FrameSplitter split(f);
    split.feed(received);
    while (auto p = split.next()) {
      if (good >= sent.size()) {
        problem = "unexpected extra reply";
        break;
      }
      if (*p != sent[good]) {
        problem = "reply " + std::to_string(good) + " differs (" + std::to_string(p->size()) +
                  " bytes, expected " + std::to_string(sent[good].size()) + ")";
        break;
      }
      ++good;
    }
    if (problem.empty() && split.error()) problem = "malformed reply stream";
    if (problem.empty() && good < sent.size()) {
      problem = "got " + std::to_string(good) + " of " + std::to_string(sent.size()) + " replies";
    }
  }
  if (complete) *complete = good;
  return problem;
}

}  // namespace weft::harness
