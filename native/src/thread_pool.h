// A fixed set of threads that share the tasks of one kernel call with the calling thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nasbook {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }

  // Calls task(i) for every i in [0, tasks), in any order, on up to threads() threads; returns when all are done.
  void run(int tasks, const std::function<void(int)>& task);

 private:
  void work();
  // Runs tasks of call `call` while any are unclaimed; returns when they are all claimed.
  void drain(uint32_t call, const std::function<void(int)>& task, int tasks);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  // The current call, under mutex_.
  const std::function<void(int)>* task_ = nullptr;
  int tasks_ = 0;
  uint32_t call_ = 0;
  bool stopping_ = false;
  // The call's number in the high 32 bits, the next unclaimed task in the low: a thread that
  // wakes after its call has ended cannot claim a task of the next one.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};
};

}  // namespace nasbook
