// What every reference server shares: the command line (--port, --protocol), the first stdout
// line `listening on HOST:PORT`, and the frame scanner. Deliberately framework-free so that
// each server shows only its own library's cost.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace weft::reference {

enum class Framing { Echo, LenPrefix, Line };

struct Options {
  uint16_t port = 0;
  Framing framing = Framing::Echo;
};

[[noreturn]] inline void usage(const char* prog) {
  std::fprintf(stderr, "usage: %s [--port N] [--protocol echo|lenprefix|line]\n", prog);
  std::exit(2);
}

// weft bench opens up to 1,000 active plus 10,000 idle connections to each server: the soft
// RLIMIT_NOFILE (often 1024) goes up to the hard limit, as `weft serve` does.
inline void raiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

inline Options parseOptions(int argc, char** argv) {
  raiseFdLimit();
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      o.port = static_cast<uint16_t>(std::atoi(argv[++i]));
    } else if (arg == "--protocol" && i + 1 < argc) {
      std::string_view p = argv[++i];
      if (p == "echo") {
        o.framing = Framing::Echo;
      } else if (p == "lenprefix") {
        o.framing = Framing::LenPrefix;
      } else if (p == "line") {
        o.framing = Framing::Line;
      } else {
        usage(argv[0]);
      }
    } else {
      usage(argv[0]);
    }
  }
  return o;
}

// The harness reads this line to learn the port: it must be the first line, and flushed.
inline void announce(uint16_t port) {
  std::printf("listening on 127.0.0.1:%u\n", static_cast<unsigned>(port));
  std::fflush(stdout);
}

// How many leading bytes of `data` form complete frames. Each server echoes exactly those bytes
// (a frame's reply is the frame itself) and keeps the rest for the next read. Frames are
// walked one by one, as a real parser would: 4-byte little-endian length prefix, or "\n".
inline size_t completeFrameBytes(Framing f, const char* data, size_t len) {
  switch (f) {
    case Framing::Echo:
      return len;
    case Framing::LenPrefix: {
      size_t pos = 0;
      while (len - pos >= 4) {
        const auto* p = reinterpret_cast<const unsigned char*>(data + pos);
        uint64_t n =
            uint64_t(p[0]) | uint64_t(p[1]) << 8 | uint64_t(p[2]) << 16 | uint64_t(p[3]) << 24;
        if (len - pos - 4 < n) break;
        pos += 4 + n;
      }
      return pos;
    }
    case Framing::Line: {
      size_t pos = 0;
      while (pos < len) {
        const void* nl = std::memchr(data + pos, '\n', len - pos);
        if (!nl) break;
        pos = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
      }
      return pos;
    }
  }
  return 0;
}

}  // namespace weft::reference
