// StreamTransport: the TCP transport every readiness backend shares (Twisted's tcp.Connection).
// Reads go into the reactor's 64 KiB buffer and reach dataReceived as a view; write() sends at
// once and queues only what the kernel did not take; the queue leaves with sendmsg (gather).
#pragma once

#include <memory>

#include "weft/delayed_call.hpp"
#include "weft/detail/write_queue.hpp"
#include "weft/poller_reactor.hpp"
#include "weft/protocol.hpp"
#include "weft/transport.hpp"

namespace weft {

class TcpConnector;

class StreamTransport final : public Transport, public TrackedConnection, public FdHandler {
 public:
  StreamTransport(PollerReactor& reactor, int fd, std::unique_ptr<Protocol> protocol,
                  std::shared_ptr<TcpConnector> connector);
  ~StreamTransport() override;

  // Watch the fd and hand the transport to the protocol. False if the fd could not be
  // watched (the caller closes it and reports FdTooLarge).
  bool start();

  void write(std::string_view data) override;
  void writeSequence(std::span<const std::string_view> parts) override;
  using Transport::writeSequence;
  void loseConnection() override;
  void loseWriteConnection() override;
  void abortConnection() override;
  Address getPeer() const override;
  Address getHost() const override;
  void registerProducer(PushProducer& producer) override;
  void unregisterProducer() override;
  void setWaterMarks(WaterMarks marks) override { marks_ = marks; }
  void setReadBackpressure(bool on) override;
  size_t bufferedBytes() const override { return out_.size(); }
  void setTcpNoDelay(bool on) override;
  bool getTcpNoDelay() const override;
  void setTcpKeepAlive(bool on) override;
  bool getTcpKeepAlive() const override;
  bool connected() const override { return !lost_; }
  void pauseProducing() override;
  void resumeProducing() override;
  void stopProducing() override { loseConnection(); }

  void onReady(unsigned events) override;
  void beginShutdownDrain() override { loseConnection(); }
  void forceClose() override;

 private:
  void doRead();
  void doWrite();
  // One gather write of the queue; false if the connection died.
  bool sendQueued();
  void flushed();
  void closeCleanly();
  void discardUntilEof();
  void finishClose();
  void closeFd();
  // connectionLost for the protocol and the connector, exactly once.
  void notifyLost(const Reason& why);
  void peerClosedWriting();
  void queued();
  void drainedBelowLowMark();
  void updateInterest();
  // The single way out: unwatch, close, stop the producer, connectionLost, retire.
  void connectionDone(const Reason& why);
  static constexpr Duration kLingerTimeout{2.0};
  template <class F>
  void callProtocol(const char* what, F&& f);

  PollerReactor& reactor_;
  int fd_;
  std::unique_ptr<Protocol> protocol_;
  std::shared_ptr<TcpConnector> connector_;
  detail::WriteQueue out_;
  PushProducer* producer_ = nullptr;
  WaterMarks marks_;
  DelayedCall abortCall_;
  DelayedCall lingerCall_;
  mutable std::unique_ptr<Address> peerCache_;
  int pendingErrno_ = 0;  // a send failed inside write(): reported from doWrite, not re-entrantly
  unsigned interest_ = kNone;
  bool userPaused_ = false;     // pauseProducing()
  bool backpressured_ = false;  // our write buffer is above the high-water mark
  bool readBackpressure_ = true;
  bool producerPaused_ = false;
  bool lost_ = false;  // set with markDisconnecting() (notifyLost): lost_ implies disconnecting()
  bool readEof_ = false;
  bool writeShutPending_ = false;
  bool writeShut_ = false;
  bool corked_ = false;       // inside dataReceived: writes queue, one flush after it
  bool wroteInRead_ = false;  // the current read produced writes
  bool lingering_ = false;    // connectionLost delivered; draining input before close()
};

}  // namespace weft
