// Native Qt echo server: QTcpServer + QTcpSocket on QCoreApplication's event loop, the way
// Qt's own examples do it (readyRead -> readAll -> write). SIGINT/SIGTERM arrive through a
// signalfd watched by a QSocketNotifier, so the loop quits normally and main returns 0.
#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/reference_common.hpp"

using weft::reference::Framing;

namespace {

constexpr qint64 kHighWater = 1024 * 1024;

void serve(QTcpSocket* socket, Framing framing) {
  socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
  auto pending = std::make_shared<QByteArray>();  // a partial frame carried between reads
  auto pump = [socket, pending, framing] {
    // A peer that does not read its replies: leave data in Qt's (now bounded) read buffer so
    // Qt stops reading the socket until our output drains.
    if (socket->bytesToWrite() > kHighWater) {
      socket->setReadBufferSize(64 * 1024);
      return;
    }
    if (socket->readBufferSize() != 0) socket->setReadBufferSize(0);
    pending->append(socket->readAll());
    size_t done = weft::reference::completeFrameBytes(framing, pending->constData(),
                                                      static_cast<size_t>(pending->size()));
    if (done == 0) return;
    socket->write(pending->constData(), static_cast<qint64>(done));
    pending->remove(0, static_cast<qsizetype>(done));
  };
  QObject::connect(socket, &QTcpSocket::readyRead, socket, pump);
  QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [socket, pump](qint64) {
    if (socket->bytesAvailable() > 0 && socket->bytesToWrite() <= kHighWater) pump();
  });
  QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = weft::reference::parseOptions(argc, argv);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

  QCoreApplication app(argc, argv);
  QSocketNotifier sigNotifier(sfd, QSocketNotifier::Read);
  QObject::connect(&sigNotifier, &QSocketNotifier::activated, &app, &QCoreApplication::quit);

  QTcpServer server;
  server.setMaxPendingConnections(1024);
  if (!server.listen(QHostAddress::LocalHost, opts.port)) {
    std::fprintf(stderr, "listen: %s\n", qPrintable(server.errorString()));
    return 1;
  }
  QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, &opts] {
    while (QTcpSocket* s = server.nextPendingConnection()) serve(s, opts.framing);
  });
  weft::reference::announce(server.serverPort());
  int rc = app.exec();
  close(sfd);
  return rc;
}
