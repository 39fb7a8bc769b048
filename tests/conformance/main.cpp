#include <gtest/gtest.h>
#include <signal.h>

#include "skip_report.hpp"

#ifdef _WIN32
#include <winsock2.h>
#endif

int main(int argc, char** argv) {
#ifdef _WIN32
  // The raw test sockets need Winsock started before weft's first socket does it.
  WSADATA wsa;
  ::WSAStartup(MAKEWORD(2, 2), &wsa);
#else
  ::signal(SIGPIPE, SIG_IGN);  // raw test sockets; weft itself uses MSG_NOSIGNAL
#endif
  ::testing::InitGoogleTest(&argc, argv);
  weft::test::SkipReport::install();  // a skip is visible in ctest's summary too
  return RUN_ALL_TESTS();
}
