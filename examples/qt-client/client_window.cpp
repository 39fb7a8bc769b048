#include "client_window.hpp"

#include <QDateTime>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

#include "weft/protocols/int_n_string_receiver.hpp"

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

// One request: send "hello", log the reply, disconnect.
class HelloProtocol : public BasicIntNStringReceiver<4, std::endian::little> {
 public:
  explicit HelloProtocol(ClientWindow& w) : window_(w) {}
  void connectionMade() override {
    window_.log("connected to " + QString::fromStdString(transport->getPeer().toString()));
    sendString("hello");
  }
  void stringReceived(std::string_view s) override {
    window_.log("reply: " + QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())));
    transport->loseConnection();
  }
  void connectionLost(const Reason& reason) override {
    window_.log("disconnected (" + QString::fromStdString(std::string(errorKindName(reason.kind))) +
                ")");
  }

 private:
  ClientWindow& window_;
};

}  // namespace

class ClientWindow::Factory : public ClientFactory {
 public:
  explicit Factory(ClientWindow& w) : window_(w) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    return std::make_unique<HelloProtocol>(window_);
  }
  void clientConnectionFailed(Connector& c, const Reason& reason) override {
    window_.log("connection to " + QString::fromStdString(c.destination()) +
                " failed: " + QString::fromStdString(reason.message));
  }

 private:
  ClientWindow& window_;
};

ClientWindow::ClientWindow(Reactor& reactor, std::string host, uint16_t port)
    : reactor_(reactor),
      host_(std::move(host)),
      port_(port),
      factory_(std::make_unique<Factory>(*this)),
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

// The reactor has shut down (or is destroyed first) before the window goes: no connection
// still refers to the factory.
ClientWindow::~ClientWindow() = default;

void ClientWindow::doIt() {
  log("connecting to " + QString::fromStdString(host_) + ":" + QString::number(port_));
  reactor_.connectTCP(host_, port_, *factory_, Duration(5.0));
}

void ClientWindow::log(const QString& line) {
  log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss.zzz") + "  " + line);
}

QString ClientWindow::logText() const {
  return log_->toPlainText();
}

}  // namespace weft::examples
