// weft-qt-client [--host H] [--port N] [--mode run|start]
// Talks to `weft serve --protocol lenprefix --port N`. Closing the window exits with status 0.
#include <QApplication>
#include <QCommandLineParser>

#include "client_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);  // before the reactor, which then uses it
  QCommandLineParser cli;
  cli.setApplicationDescription("The seed's GUI client on weft's Qt reactor");
  cli.addHelpOption();
  cli.addOption({"host", "Server host.", "host", "127.0.0.1"});
  cli.addOption({"port", "Server port.", "port", "8000"});
  cli.addOption({"mode", "run: reactor.run() drives; start: app.exec() drives.", "mode", "run"});
  cli.process(app);

  weft::QtReactor reactor;
  reactor.setShutdownTimeout(weft::Duration(0.5));  // closing the window must not wait long
  weft::examples::ClientWindow window(reactor, cli.value("host").toStdString(),
                                      static_cast<uint16_t>(cli.value("port").toUInt()));
  window.show();
  if (cli.value("mode") == "start") {
    reactor.start();
    return app.exec();  // last window closed -> aboutToQuit -> reactor shut down -> 0
  }
  reactor.run();  // QApplication::exec() inside; returns when the last window closes
  return 0;
}
