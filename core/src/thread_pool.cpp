#include "weft/detail/thread_pool.hpp"

#include <exception>
#include <string>

#include "weft/log.hpp"

namespace weft::detail {

void ThreadPool::submit(std::function<void()> job) {
  std::unique_lock lock(mu_);
  stopping_ = false;
  jobs_.push_back(std::move(job));
  if (idle_ == 0 && workers_.size() < maxThreads_) {
    workers_.emplace_back([this] { workerLoop(); });
  } else {
    cv_.notify_one();
  }
}

void ThreadPool::workerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty()) return;  // stopping and nothing left to run
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("exception in callInThread job: ") + e.what());
    }
    lock.lock();
  }
}

void ThreadPool::join() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (auto& t : workers) t.join();
}

void ThreadPool::setMaxThreads(size_t n) {
  std::lock_guard lock(mu_);
  maxThreads_ = n == 0 ? 1 : n;
}

size_t ThreadPool::threadCount() const {
  std::lock_guard lock(mu_);
  return workers_.size();
}

}  // namespace weft::detail
