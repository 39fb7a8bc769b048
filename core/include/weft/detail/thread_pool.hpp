// Bounded thread pool behind callInThread(): threads start lazily up to maxThreads and are
// joined by join() (the reactor calls it during shutdown).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace weft::detail {

class ThreadPool {
 public:
  explicit ThreadPool(size_t maxThreads = 10) : maxThreads_(maxThreads) {}
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { join(); }

  void submit(std::function<void()> job);
  // Runs every queued job, then stops and joins the workers. submit() restarts the pool.
  void join();
  void setMaxThreads(size_t n);
  size_t threadCount() const;

 private:
  void workerLoop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
  size_t maxThreads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace weft::detail
