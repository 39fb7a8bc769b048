// index.html opens with what a reader came for: a verdict per reactor and a colour-scaled grid
// of ratios, then ratio charts with whiskers, latency against offered load, cost against idle
// connections (select's refused ones marked) and connection scaling. Rendered from a report
// built here, so it needs no benchmark run.
#include <gtest/gtest.h>

#include "bench/bench_model.hpp"

namespace weft::harness {
namespace {

Row row(const std::string& server, Point p, std::vector<double> msgs, double cpu) {
  Row x;
  x.server = server;
  x.kind = server.rfind("ref:", 0) == 0 ? "reference" : "reactor";
  x.point = p;
  x.msgsPerSecond = msgs;
  x.msgsMedian = median(msgs);
  x.msgsMin = *std::min_element(msgs.begin(), msgs.end());
  x.msgsMax = *std::max_element(msgs.begin(), msgs.end());
  x.cpuPerRepeat = std::vector<double>(msgs.size(), cpu);
  x.cpuUsPerMsg = cpu;
  x.p50 = 30;
  x.p99 = 90;
  x.p999 = 400;
  x.maxLatency = 900;
  return x;
}

Report sample() {
  Report r;
  for (auto* part : {&r.machine, &r.build, &r.config}) *part = nlohmann::json::object();
  for (int c : {1, 16, 64}) {
    Point p{"echo", 64, c, 1};
    r.rows.push_back(row("ref:raw-epoll", p, {100e3, 110e3, 90e3}, 5));
    r.rows.push_back(row("epoll", p, {95e3, 110e3, 45e3}, 5.5));
    r.rows.push_back(row("ref:libevent", p, {80e3, 80e3, 80e3}, 6));
    r.rows.push_back(row("libevent", p, {60e3, 60e3, 60e3}, 8));
  }
  for (int idle : {1000, 10000}) {
    Point p{"echo", 64, 64, 1, idle};
    r.rows.push_back(row("ref:raw-epoll", p, {100e3}, 5));
    r.rows.push_back(row("select", p, {50e3}, 10));
    r.rows.back().idleRefused = idle - 900;
    r.rows.back().idleOpened = idle;
  }
  for (int pct : {50, 90}) {
    Point p{"echo", 64, 16, 16, 0, pct};
    r.rows.push_back(row("ref:raw-epoll", p, {50e3 * pct / 50}, 5));
    r.rows.back().offeredRate = 1000.0 * pct;
  }
  computeRatios(r);
  return r;
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(ReportSummary, OpensWithVerdictsAndAColourScaledGridThenReadableCharts) {
  std::string html = renderHtml(sample());
  size_t summary = html.find("<section id=\"summary\">");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_LT(summary, html.find("<figure")) << "the summary comes before every chart";
  // One verdict per reactor: libevent is 0.6x raw epoll and 0.75x its native server.
  EXPECT_NE(html.find("<li><b>libevent</b>: 40% slower against raw epoll (throughput 0.60x"),
            std::string::npos)
      << html.substr(summary, 2000);
  EXPECT_NE(html.find("against native libevent 25% slower (0.75x"), std::string::npos);
  EXPECT_NE(html.find("<li><b>epoll</b>: 5% slower against raw epoll (throughput 0.95x"),
            std::string::npos);
  // Grid cells carry the ratio and a colour; libevent's 0.60 is reddish, epoll's 0.95 greenish.
  EXPECT_NE(html.find("<span class=\"thr\">0.60</span> <span class=\"cpu-worse\">cpu 1.60</span>"),
            std::string::npos);
  EXPECT_GE(count(html, "<td style=\"background:hsl("), 9u);  // 3 points x (2 + 1 native)
  // Ratio charts with whiskers at the repeats' min-max (epoll's third repeat: 0.5x).
  EXPECT_NE(html.find("id=\"throughput-ratio-echo\""), std::string::npos);
  EXPECT_NE(html.find("id=\"cpu-ratio-native-echo\""), std::string::npos);
  EXPECT_NE(html.find("epoll, min-max 0.5-1"), std::string::npos);
  // The open loop's hockey stick, the idle-fd cost with select's refused connections marked,
  // and the connection-scaling charts (three connection counts).
  EXPECT_NE(html.find("id=\"openloop-p99\""), std::string::npos);
  EXPECT_NE(html.find("id=\"openloop-p999\""), std::string::npos);
  EXPECT_NE(html.find("Server CPU per message against idle connections"), std::string::npos);
  EXPECT_EQ(count(html, "(beyond FD_SETSIZE)</title>"), 4u)
      << "select at 1000 and 10000 idle, in the CPU and the throughput chart";
  EXPECT_NE(html.find("Throughput against connections, echo 64 B, depth 1"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace weft::harness
