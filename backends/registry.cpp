// The backend registry: every reactor weft knows, in priority order, with its availability in
// this build. CMake defines WEFT_HAVE_<NAME> for each backend it built and
// WEFT_WHY_NO_<NAME> (a string) for each it could not.
#include "weft/registry.hpp"

#include <functional>
#include <string>

#include "weft/errors.hpp"
#include "weft/poller_reactor.hpp"

#ifdef WEFT_HAVE_EPOLL
#include "epoll/epoll_poller.hpp"
#endif
#ifdef WEFT_HAVE_POLL
#include "poll/poll_poller.hpp"
#endif
#ifdef WEFT_HAVE_SELECT
#include "select/select_poller.hpp"
#endif
#ifdef WEFT_HAVE_KQUEUE
#include "kqueue/kqueue_poller.hpp"
#endif
#ifdef WEFT_HAVE_LIBEVENT
#include "libevent/libevent_poller.hpp"
#endif
#ifdef WEFT_HAVE_ASIO
#include "asio/asio_reactor.hpp"
#endif
#ifdef WEFT_HAVE_QT
#include "qt/qt_reactor.hpp"
#endif

namespace weft {
namespace {

using MakeFn = std::function<std::unique_ptr<Reactor>()>;

struct Entry {
  ReactorInfo info;
  MakeFn make;
};

template <class MakePoller>
MakeFn pollerReactor(MakePoller makePoller, const char* name) {
  return [makePoller, name] { return std::make_unique<PollerReactor>(makePoller(), name); };
}

// Each backend's availability in this build: (why not, or "") and its factory, so each
// description below is written once whichever way the build went.
#ifdef WEFT_HAVE_EPOLL
#define WEFT_EPOLL_STATUS "", MakeFn(pollerReactor(makeEpollPoller, "epoll"))
#else
#define WEFT_EPOLL_STATUS WEFT_WHY_NO_EPOLL, MakeFn()
#endif
#ifdef WEFT_HAVE_KQUEUE
#define WEFT_KQUEUE_STATUS "", MakeFn(pollerReactor(makeKqueuePoller, "kqueue"))
#else
#define WEFT_KQUEUE_STATUS WEFT_WHY_NO_KQUEUE, MakeFn()
#endif
#ifdef WEFT_HAVE_POLL
#define WEFT_POLL_STATUS "", MakeFn(pollerReactor(makePollPoller, "poll"))
#else
#define WEFT_POLL_STATUS WEFT_WHY_NO_POLL, MakeFn()
#endif
#ifdef WEFT_HAVE_SELECT
#define WEFT_SELECT_STATUS "", MakeFn(pollerReactor(makeSelectPoller, "select"))
#else
#define WEFT_SELECT_STATUS WEFT_WHY_NO_SELECT, MakeFn()
#endif
#ifdef WEFT_HAVE_LIBEVENT
#define WEFT_LIBEVENT_STATUS "", MakeFn(pollerReactor(makeLibeventPoller, "libevent"))
#else
#define WEFT_LIBEVENT_STATUS WEFT_WHY_NO_LIBEVENT, MakeFn()
#endif
#ifdef WEFT_HAVE_ASIO
#define WEFT_ASIO_STATUS "", MakeFn([] { return makeAsioReactor(); })
#else
#define WEFT_ASIO_STATUS WEFT_WHY_NO_ASIO, MakeFn()
#endif
#ifdef WEFT_HAVE_QT
#define WEFT_QT_STATUS "", MakeFn([] { return makeQtReactor(); })
#else
#define WEFT_QT_STATUS WEFT_WHY_NO_QT, MakeFn()
#endif

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = [] {
    std::vector<Entry> t;
    auto add = [&](std::string name, std::string desc, std::string features, const char* why,
                   MakeFn make) {
      bool have = static_cast<bool>(make);
      t.push_back(Entry{
          ReactorInfo{std::move(name), have, have ? "" : why, std::move(desc), std::move(features)},
          std::move(make)});
    };
    add("epoll", "epoll(7), level-triggered", "O(ready fds), any fd", WEFT_EPOLL_STATUS);
    add("kqueue", "kqueue(2) (BSD/macOS, or libkqueue on Linux)", "O(ready fds), batched changes",
        WEFT_KQUEUE_STATUS);
    add("poll", "poll(2)", "O(watched fds), any fd", WEFT_POLL_STATUS);
#ifdef _WIN32
    // Winsock's FD_SETSIZE is a count of sockets (raised at build time), not a value limit.
    add("select", "Winsock select()",
        "O(watched sockets), at most " + std::to_string(WEFT_WIN_FD_SETSIZE) + " sockets",
        WEFT_SELECT_STATUS);
#else
    add("select", "select(2)", "O(highest fd), fds < FD_SETSIZE only", WEFT_SELECT_STATUS);
#endif
    add("libevent", "libevent event_base drives the loop",
        "foreign loop, one persistent event per fd", WEFT_LIBEVENT_STATUS);
    add("asio", "Boost.Asio io_context (IOCP on Windows, epoll on Linux)",
        "completion model, own transport", WEFT_ASIO_STATUS);
    add("qt", "Qt 6 event loop (QCoreApplication::exec), GUI-safe shutdown",
        "foreign loop, QSocketNotifier per fd", WEFT_QT_STATUS);
    return t;
  }();
  return table;
}

}  // namespace

const std::vector<ReactorInfo>& reactorTable() {
  static const std::vector<ReactorInfo> infos = [] {
    std::vector<ReactorInfo> v;
    for (const auto& e : entries()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

std::vector<std::string> availableReactors() {
  std::vector<std::string> names;
  for (const auto& e : entries())
    if (e.info.available) names.push_back(e.info.name);
  return names;
}

std::string defaultReactorName() {
#if defined(_WIN32)
  return "select";
#elif defined(__linux__)
  return "epoll";
#else
  return "poll";
#endif
}

std::unique_ptr<Reactor> makeReactor(std::string_view name) {
  std::string wanted(name == "default" ? defaultReactorName() : std::string(name));
  std::string known;
  for (const auto& e : entries()) {
    if (e.info.available) known += (known.empty() ? "" : ", ") + e.info.name;
  }
  for (const auto& e : entries()) {
    if (e.info.name != wanted) continue;
    if (!e.info.available)
      throw Error(ErrorKind::Unavailable, "reactor '" + wanted +
                                              "' is unavailable: " + e.info.whyUnavailable +
                                              " (available: " + known + ")");
    return e.make();
  }
  throw Error(ErrorKind::Unavailable,
              "the specified reactor does not exist: '" + wanted + "' (available: " + known + ")");
}

}  // namespace weft
