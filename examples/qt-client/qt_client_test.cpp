// Drives the GUI client on the offscreen platform: weft_qt_client_test CASE MODE
// [--weft PATH] [--screenshot PNG]. CASE: never-connected | reply | connecting | reply-pending;
// MODE: run (reactor.run() drives) | start (app.exec() drives). In every case the window is
// closed and the event loop must return within 1 s with a clean shutdown; exit status 0.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QApplication>
#include <QFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QTimer>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "client_window.hpp"
#include "weft/protocols/echo_servers.hpp"

namespace {

using namespace std::chrono_literals;
using weft::Clock;

int gFailures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL: %s\n", what);
    ++gFailures;
  }
}

// A loopback listener that never accepts. With `fill`, its accept queue is filled first, so a
// further connect stays in progress (the kernel drops its SYNs).
struct Sink {
  int listener = -1;
  std::vector<int> fillers;
  uint16_t port = 0;
  explicit Sink(bool fill) {
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener, fill ? 0 : 16);
    socklen_t len = sizeof a;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    for (int i = 0; fill && i < 4; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
      fillers.push_back(fd);
    }
    if (fill) std::this_thread::sleep_for(50ms);  // let the handshakes that can finish finish
  }
  ~Sink() {
    for (int fd : fillers) ::close(fd);
    ::close(listener);
  }
};

// Polls `cond` every 10 ms on the Qt loop, then runs `then`.
void when(QObject* ctx, std::function<bool()> cond, std::function<void()> then) {
  auto* t = new QTimer(ctx);  // parent-owned
  QObject::connect(t, &QTimer::timeout, ctx, [t, cond, then] {
    if (!cond()) return;
    t->stop();
    then();
  });
  t->start(10);
}

// QT_FATAL_WARNINGS, minus one message: the offscreen platform plugin warns that it "does not
// support propagateSizeHints()" whenever a widget with a layout is shown.
void failOnWarnings(QtMsgType type, const QMessageLogContext&, const QString& msg) {
  std::fprintf(stderr, "%s\n", qPrintable(msg));
  if (type == QtDebugMsg || type == QtInfoMsg) return;
  if (msg.contains("does not support propagateSizeHints")) return;
  std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  qInstallMessageHandler(failOnWarnings);
  QApplication app(argc, argv);
  if (argc < 3) {
    std::printf("usage: %s CASE MODE [--weft PATH] [--screenshot PNG]\n", argv[0]);
    return 2;
  }
  const QString kase = argv[1], mode = argv[2];
  QString weftPath, screenshot;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (QString(argv[i]) == "--weft") weftPath = argv[i + 1];
    if (QString(argv[i]) == "--screenshot") screenshot = argv[i + 1];
  }
  // The watchdog also stops the `weft serve` child (by PID): _exit skips QProcess's cleanup.
  static std::atomic<pid_t> serverPid{0};
  std::thread([] {
    std::this_thread::sleep_for(15s);
    std::printf("FAIL: watchdog\n");
    if (pid_t pid = serverPid.load(); pid > 0) ::kill(pid, SIGKILL);
    ::_exit(124);
  }).detach();

  weft::QtReactor reactor;
  reactor.setShutdownTimeout(weft::Duration(0.5));

  // The server side.
  uint16_t port = 1;  // never-connected: nothing listens, and nothing connects
  std::unique_ptr<Sink> sink;
  std::unique_ptr<QProcess> server;
  struct EchoFactory : weft::Factory {  // in-process server when no `weft` binary is built
    std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
      return std::make_unique<weft::LengthPrefixEcho>(weft::PrefixFormat::U32LE);
    }
  } echoFactory;
  if (kase == "reply") {
    if (!weftPath.isEmpty() && QFile::exists(weftPath)) {
      server = std::make_unique<QProcess>();
      server->start(weftPath,
                    {"serve", "--reactor", "epoll", "--protocol", "lenprefix", "--port", "0"});
      serverPid = static_cast<pid_t>(server->processId());
      check(server->waitForReadyRead(5000), "weft serve printed its address");
      QString line = QString::fromUtf8(server->readLine()).trimmed();  // listening on H:P
      port = static_cast<uint16_t>(line.section(':', -1).toUInt());
      std::printf("server: %s\n", qPrintable(line));
    } else {
      port = static_cast<weft::Reactor&>(reactor).listenTCP(0, echoFactory)->getHost().port();
    }
  } else if (kase == "connecting" || kase == "reply-pending") {
    sink = std::make_unique<Sink>(kase == "connecting");
    port = sink->port;
  }

  weft::examples::ClientWindow window(reactor, "127.0.0.1", port);
  window.show();

  Clock::time_point started = Clock::now(), closedAt{};
  int framesAtClose = 0;
  auto close = [&] {
    if (!screenshot.isEmpty()) window.grab().save(screenshot);
    framesAtClose = window.circle()->frames();
    closedAt = Clock::now();
    window.close();  // the last window: the application quits
  };
  auto logHas = [&](const char* s) { return window.logText().contains(s); };
  if (kase == "never-connected") {
    QTimer::singleShot(200, &window, close);
  } else {
    QTimer::singleShot(50, &window, [&] { window.button()->click(); });
    if (kase == "reply") {
      when(
          &window, [&] { return logHas("reply: hello"); }, close);
    } else if (kase == "reply-pending") {
      when(
          &window, [&] { return logHas("connected to"); },
          [&] { QTimer::singleShot(100, &window, close); });
    } else {  // connecting: still in progress when the window closes
      QTimer::singleShot(400, &window, [&] {
        check(logHas("connecting to") && !logHas("connected to") && !logHas("failed"),
              "the connection is still in progress");
        close();
      });
    }
  }

  int rc = 0;
  if (mode == "start") {
    reactor.start();
    rc = app.exec();
  } else {
    reactor.run();
  }
  double afterClose = weft::Duration(Clock::now() - closedAt).count();
  double ran = weft::Duration(closedAt - started).count();
  std::printf("%s\nloop returned %.3f s after the window closed; %d frames in %.3f s\n",
              qPrintable(window.logText()), afterClose, framesAtClose, ran);
  check(rc == 0, "exec() returned 0");
  check(!reactor.running(), "the reactor stopped");
  check(afterClose < 1.0, "the loop returned within 1 s of closing the window");
  // The animation kept running: at 16 ms per frame, at least a third of the frames expected.
  check(framesAtClose >= static_cast<int>(ran / 0.016 / 3), "the animation never froze");
  if (kase == "reply") check(logHas("reply: hello"), "the reply was logged");
  if (kase == "connecting") check(logHas("failed"), "the pending connect was cancelled");
  if (kase == "reply-pending") check(logHas("disconnected"), "the connection was closed");
  if (server) {
    server->terminate();  // SIGTERM: weft serve shuts down cleanly
    check(server->waitForFinished(5000) && server->exitCode() == 0, "weft serve exited 0");
    serverPid = 0;  // reaped: the PID may be reused
  }
  std::printf(gFailures ? "CLIENT TEST FAIL\n" : "CLIENT TEST PASS\n");
  return gFailures ? 1 : 0;
}
