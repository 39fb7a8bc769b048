#include "client_window.hpp"

#include <QDateTime>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

#include <QPointer>

#include "weft/endpoint_strings.hpp"
#include "weft/protocols/awaitable_receivers.hpp"
#include "weft/task.hpp"

namespace weft::examples {

CircleWidget::CircleWidget(QWidget* parent) : QWidget(parent), timer_(new QTimer(this)) {
  setMinimumSize(160, 160);
  QObject::connect(timer_, &QTimer::timeout, this, [this] {
    angle_ = std::fmod(angle_ + 0.1, 2 * M_PI);
    ++frames_;
    update();
  });
  timer_->start(16);
}

void CircleWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const double r = std::min(width(), height()) / 2.0 - 20;
  const QPointF c(width() / 2.0, height() / 2.0);
  p.setPen(QPen(Qt::gray, 2));
  p.drawEllipse(c, r, r);
  p.setBrush(QColor(0x2a, 0x7a, 0xe2));
  p.setPen(Qt::NoPen);
  p.drawEllipse(c + QPointF(r * std::cos(angle_), r * std::sin(angle_)), 12, 12);
}

namespace {

// One request, as a coroutine: connect, send "hello", await and log the reply, close, and
// await the end of the connection (it arrives as ConnectionClosedError, also when the
// window closes first and the reactor's shutdown closes the connection). QPointer: the
// coroutine may outlive the window, and then logs nothing.
Task<void> helloExchange(QPointer<ClientWindow> window, Reactor& reactor, std::string host,
                         uint16_t port) {
  auto log = [&](const QString& line) {
    if (window) window->log(line);
  };
  const std::string where = host + ":" + std::to_string(port);
  auto endpoint = clientFromString(
      reactor, "tcp:host=" + host + ":port=" + std::to_string(port) + ":timeout=5");
  std::shared_ptr<MessageChannel> channel;
  try {
    channel = co_await connectChannel(
        *endpoint, std::make_unique<AwaitableIntNStringReceiver>(PrefixFormat::U32LE));
  } catch (const std::exception& e) {
    log("connection to " + QString::fromStdString(where) + " failed: " + e.what());
    co_return;
  }
  log("connected to " + QString::fromStdString(where));
  channel->send("hello");
  try {
    std::string reply = co_await channel->next();
    log("reply: " + QString::fromStdString(reply));
    channel->close();
    co_await channel->next();  // nothing more comes: this is how the end arrives
  } catch (const ConnectionClosedError& e) {
    log("disconnected (" + QString::fromStdString(std::string(errorKindName(e.reason().kind))) +
        ")");
  }
}

}  // namespace

ClientWindow::ClientWindow(Reactor& reactor, std::string host, uint16_t port)
    : reactor_(reactor),
      host_(std::move(host)),
      port_(port),
      circle_(new CircleWidget(this)),
      button_(new QPushButton("Do it!", this)),
      log_(new QPlainTextEdit(this)) {
  setWindowTitle("weft Qt client");
  log_->setReadOnly(true);
  auto* layout = new QVBoxLayout(this);  // owned by the window
  layout->addWidget(circle_);
  layout->addWidget(button_);
  layout->addWidget(log_);
  resize(360, 420);
  QObject::connect(button_, &QPushButton::clicked, this, [this] { doIt(); });
}

// A coroutine still running holds only a QPointer to the window.
ClientWindow::~ClientWindow() = default;

void ClientWindow::doIt() {
  log("connecting to " + QString::fromStdString(host_) + ":" + QString::number(port_));
  ensureDeferred(helloExchange(QPointer<ClientWindow>(this), reactor_, host_, port_));
}

void ClientWindow::log(const QString& line) {
  log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss.zzz") + "  " + line);
}

QString ClientWindow::logText() const {
  return log_->toPlainText();
}

}  // namespace weft::examples
