#include "thread_pool.h"

#include <chrono>

namespace nasbook {
namespace {

// A training step calls kernels tens of microseconds apart (tfjs's JavaScript in between), and a
// thread woken from sleep can take as long as a small convolution to start: so a thread spins
// this long for the next call (and a caller for the last task) before it sleeps, as OpenMP's do.
constexpr auto kSpin = std::chrono::microseconds(100);

inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until done() or kSpin has passed; says whether done() came true.
template <typename Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1;; i++) {
    if (done()) return true;
    pause();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) return false;
  }
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::drain(uint32_t call, const std::function<void(int)>& task, int tasks) {
  for (uint64_t c = claim_.load(); uint32_t(c >> 32) == call && int(uint32_t(c)) < tasks;) {
    if (!claim_.compare_exchange_weak(c, c + 1)) continue;  // c now holds the newer value
    task(int(uint32_t(c)));
    if (done_.fetch_add(1) + 1 == tasks) {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_.notify_one();
    }
    c = claim_.load();
  }
}

// The caller waits for the tasks, not for the threads: waking a sleeping thread takes about as
// long as a small convolution, and a thread that wakes after the caller has run every task
// itself finds nothing to claim.
void ThreadPool::run(int tasks, const std::function<void(int)>& task) {
  if (workers_.empty() || tasks <= 1) {
    for (int i = 0; i < tasks; i++) task(i);
    return;
  }
  uint32_t call;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    call = ++call_;
    task_ = &task;
    tasks_ = tasks;
    done_ = 0;
    claim_ = uint64_t(call) << 32;
  }
  wake_.notify_all();
  drain(call, task, tasks);
  if (spin_until([&] { return done_ == tasks; })) return;
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [&] { return done_ == tasks; });
}

void ThreadPool::work() {
  uint32_t seen = 0;
  for (;;) {
    const std::function<void(int)>* task;
    int tasks;
    spin_until([&] { return uint32_t(claim_.load(std::memory_order_relaxed) >> 32) != seen; });
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || call_ != seen; });
      if (stopping_) return;
      seen = call_;
      task = task_;
      tasks = tasks_;
    }
    drain(seen, *task, tasks);
  }
}

}  // namespace nasbook
