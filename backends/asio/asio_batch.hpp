// A batch: the completions the io_context runs back to back before the reactor's own work
// (core's tick: timers, thread calls, shutdown; the reads deferred to the end of the batch).
// Every handler of the backend calls open() first. The first one in a batch posts the marker,
// which Asio runs after the completions queued before it; the marker ends the batch. As an
// epoll backend dispatches one epoll_wait's events and then ticks, completions that become
// ready meanwhile wait for the next batch, so timers and thread calls run even while a socket
// never runs dry.
#pragma once

// Boost 1.74's asio headers use std::exchange without <utility> under MinGW.
#include <utility>

#include "asio/handler_slots.hpp"

#include <boost/asio/io_context.hpp>

namespace weft::asio_backend {

class BatchOwner {
 public:
  // Runs in the marker, on the loop thread.
  virtual void batchEnded() = 0;

 protected:
  ~BatchOwner() = default;
};

class Batch {
 public:
  // `io` is only stored: the reactor declares its Batch before its io_context, because the
  // marker's memory must outlive the io_context that may still hold it.
  Batch(boost::asio::io_context& io, BatchOwner& owner) : io_(io), owner_(owner) {}
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  void open() {
    if (!markerQueued_) postMarker();
  }

 private:
  struct Marker;
  void postMarker();

  boost::asio::io_context& io_;
  BatchOwner& owner_;
  HandlerSlots<1> slot_;
  bool markerQueued_ = false;
};

}  // namespace weft::asio_backend
