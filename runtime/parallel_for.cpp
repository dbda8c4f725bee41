// The thread pool behind ltc_mlir_parallel_for. See parallel_for.h.
#include "runtime/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ltc_mlir {
namespace runtime {
namespace {

using Body = void (*)(void *, int64_t, int64_t);
using Clock = std::chrono::steady_clock;

// How long an idle worker polls for the next job before it sleeps: about the
// gap between two loops of one graph, and short enough not to hold a core
// that OpenBLAS's threads want for the GEMM in between.
constexpr std::chrono::microseconds kSpinTime(50);
constexpr int kMaxThreads = 256;

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Start of share `index` of `count` items split `shares` ways.
int64_t ShareBegin(int64_t count, int shares, int index) {
  return (count / shares) * index + std::min<int64_t>(index, count % shares);
}

std::atomic<int> requested_threads{0};
thread_local bool inside_parallel_for = false;

class Pool {
public:
  // Runs `body` on `shares` shares, share 0 on the caller. Returns false
  // (having run nothing) when another thread is dispatching.
  bool Run(Body body, void *ctx, int64_t count, int shares) {
    std::unique_lock<std::mutex> dispatch(dispatch_mutex_, std::try_to_lock);
    if (!dispatch.owns_lock())
      return false;
    uint64_t generation = generation_.load(std::memory_order_relaxed);
    while (static_cast<int>(workers_.size()) < shares - 1) {
      int index = static_cast<int>(workers_.size()) + 1;
      workers_.emplace_back(
          [this, index, generation] { Work(index, generation); });
      workers_.back().detach();
    }
    body_ = body;
    ctx_ = ctx;
    count_ = count;
    shares_ = shares;
    // Every worker acknowledges every job, so none still reads the fields
    // above when the next job writes them.
    pending_.store(static_cast<int>(workers_.size()),
                   std::memory_order_relaxed);
    {
      // Under the lock, so that a worker going to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      generation_.store(generation + 1, std::memory_order_release);
    }
    sleep_cv_.notify_all();
    body(ctx, 0, ShareBegin(count, shares, 1));
    for (int spins = 1; pending_.load(std::memory_order_acquire) != 0;
         ++spins) {
      CpuRelax();
      if (spins % 1024 == 0)
        std::this_thread::yield(); // A worker may have lost its core.
    }
    return true;
  }

private:
  void Work(int index, uint64_t seen) {
    inside_parallel_for = true;
    for (;;) {
      Clock::time_point start = Clock::now();
      uint64_t generation;
      for (int spins = 1;
           (generation = generation_.load(std::memory_order_acquire)) == seen;
           ++spins) {
        CpuRelax();
        if (spins % 64 == 0 && Clock::now() - start > kSpinTime) {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          sleep_cv_.wait(lock, [&] {
            return generation_.load(std::memory_order_relaxed) != seen;
          });
        }
      }
      seen = generation;
      if (index < shares_) {
        int64_t begin = ShareBegin(count_, shares_, index);
        int64_t end = ShareBegin(count_, shares_, index + 1);
        if (begin < end)
          body_(ctx_, begin, end);
      }
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::mutex dispatch_mutex_;
  std::vector<std::thread> workers_;
  Body body_ = nullptr;
  void *ctx_ = nullptr;
  int64_t count_ = 0;
  int shares_ = 0;
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> generation_{0};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
};

// Never destroyed: detached workers may still poll it at exit.
Pool &GetPool() {
  static Pool *pool = new Pool;
  return *pool;
}

} // namespace

void SetParallelForThreads(int threads) {
  requested_threads.store(std::clamp(threads, 0, kMaxThreads),
                          std::memory_order_relaxed);
}

int GetParallelForThreads() {
  int threads = requested_threads.load(std::memory_order_relaxed);
  if (threads > 0)
    return threads;
  static const int hardware = std::clamp(
      static_cast<int>(std::thread::hardware_concurrency()), 1, kMaxThreads);
  return hardware;
}

} // namespace runtime
} // namespace ltc_mlir

extern "C" void ltc_mlir_parallel_for(void (*body)(void *, int64_t, int64_t),
                                      void *ctx, int64_t count) {
  using namespace ltc_mlir::runtime;
  if (count <= 0)
    return;
  int64_t shares = std::min<int64_t>(GetParallelForThreads(), count);
  if (shares >= 2 && !inside_parallel_for) {
    inside_parallel_for = true;
    bool ran = GetPool().Run(body, ctx, count, static_cast<int>(shares));
    inside_parallel_for = false;
    if (ran)
      return;
  }
  body(ctx, 0, count);
}
