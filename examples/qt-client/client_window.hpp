// The seed's GUI client: a circle animation (proof the GUI never freezes), a "Do it!" button
// that runs a coroutine (connects, sends "hello" with a 4-byte little-endian length prefix,
// awaits the reply, logs it with a timestamp, disconnects), and a log. The networking runs on
// the Qt reactor.
#pragma once

#include <QWidget>
#include <memory>
#include <string>

#include "qt/qt_reactor.hpp"

class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace weft::examples {

class CircleWidget : public QWidget {
 public:
  explicit CircleWidget(QWidget* parent = nullptr);
  int frames() const { return frames_; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QTimer* timer_;  // parent-owned
  int frames_ = 0;
  double angle_ = 0;
};

class ClientWindow : public QWidget {
 public:
  ClientWindow(Reactor& reactor, std::string host, uint16_t port);
  ~ClientWindow() override;

  void log(const QString& line);
  QString logText() const;
  QPushButton* button() const { return button_; }
  CircleWidget* circle() const { return circle_; }

 private:
  void doIt();

  Reactor& reactor_;
  std::string host_;
  uint16_t port_;
  CircleWidget* circle_;  // the widgets are owned by the window (Qt parent)
  QPushButton* button_;
  QPlainTextEdit* log_;
};

}  // namespace weft::examples
