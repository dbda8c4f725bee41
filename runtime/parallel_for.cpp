// The thread pool behind ltc_mlir_parallel_for. See parallel_for.h.
#include "runtime/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
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

// Shares are claimed, not assigned: the caller and the workers take the next
// unclaimed share until none is left, so a worker that has lost its core (a
// loaded machine) costs at most the share it holds, never a wait for it to
// start. One 64-bit word holds the job's generation, share count and next
// share, so a claim made for a finished job fails instead of running the
// next job's body.
class Pool {
public:
  // Runs `body` on `shares` shares, with up to threads - 1 workers helping
  // the caller. Returns false (having run nothing) when another thread is
  // dispatching.
  bool Run(Body body, void *ctx, int64_t count, int shares, int threads) {
    std::unique_lock<std::mutex> dispatch(dispatch_mutex_, std::try_to_lock);
    if (!dispatch.owns_lock())
      return false;
    uint64_t generation = (job_.load(std::memory_order_relaxed) >> 32) + 1;
    // More workers than threads would only spin against each other; workers
    // started for a larger count earlier stay (they sleep when idle).
    while (static_cast<int>(workers_.size()) < std::min(shares, threads) - 1) {
      workers_.emplace_back([this] { Work(); });
      workers_.back().detach();
    }
    body_.store(body, std::memory_order_relaxed);
    ctx_.store(ctx, std::memory_order_relaxed);
    count_.store(count, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    {
      // Under the lock, so that a worker going to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      job_.store(Pack(generation, shares, 0), std::memory_order_release);
    }
    sleep_cv_.notify_all();
    RunShares();
    for (int spins = 1; done_.load(std::memory_order_acquire) != shares;
         ++spins) {
      CpuRelax();
      if (spins % 1024 == 0)
        std::this_thread::yield(); // A worker holding a share lost its core.
    }
    return true;
  }

private:
  static uint64_t Pack(uint64_t generation, int shares, int next) {
    return generation << 32 | static_cast<uint64_t>(shares) << 16 |
           static_cast<uint64_t>(next);
  }

  // Claims and runs shares of the current job until none is left.
  void RunShares() {
    uint64_t job = job_.load(std::memory_order_acquire);
    for (;;) {
      int shares = static_cast<int>((job >> 16) & 0xffff);
      int next = static_cast<int>(job & 0xffff);
      if (next >= shares)
        return;
      Body body = body_.load(std::memory_order_relaxed);
      void *ctx = ctx_.load(std::memory_order_relaxed);
      int64_t count = count_.load(std::memory_order_relaxed);
      // Fails (reloading `job`) if another thread claimed first or the job
      // changed; then the fields read above are not used.
      if (!job_.compare_exchange_weak(job, job + 1, std::memory_order_acquire))
        continue;
      body(ctx, ShareBegin(count, shares, next),
           ShareBegin(count, shares, next + 1));
      done_.fetch_add(1, std::memory_order_release);
      job = job_.load(std::memory_order_acquire);
    }
  }

  void Work() {
    inside_parallel_for = true;
    uint64_t seen = 0;
    for (;;) {
      Clock::time_point start = Clock::now();
      uint64_t generation;
      for (int spins = 1;
           (generation = job_.load(std::memory_order_acquire) >> 32) == seen;
           ++spins) {
        CpuRelax();
        if (spins % 64 == 0 && Clock::now() - start > kSpinTime) {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          sleep_cv_.wait(lock, [&] {
            return (job_.load(std::memory_order_relaxed) >> 32) != seen;
          });
        }
      }
      seen = generation;
      RunShares();
    }
  }

  std::mutex dispatch_mutex_;
  std::vector<std::thread> workers_;
  std::atomic<Body> body_{nullptr};
  std::atomic<void *> ctx_{nullptr};
  std::atomic<int64_t> count_{0};
  std::atomic<int> done_{0};
  std::atomic<uint64_t> job_{0};
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
  // Generated loops use torch's intra-op thread count; LTC_MLIR_LOOP_THREADS=N
  // caps them (1: serial). Before the pool stopped starting a worker per
  // share, its surplus workers' polling lost more than the loops gained on
  // two cores, and this cap defaulted to 1 (docs/PERFORMANCE.md).
  static const int env_cap = [] {
    const char *value = std::getenv("LTC_MLIR_LOOP_THREADS");
    int cap =
        value != nullptr && value[0] != '\0' ? std::atoi(value) : kMaxThreads;
    return std::clamp(cap, 1, kMaxThreads);
  }();
  return std::min(GetKernelThreads(), env_cap);
}

int GetKernelThreads() {
  int threads = requested_threads.load(std::memory_order_relaxed);
  if (threads > 0)
    return threads;
  static const int hardware = std::clamp(
      static_cast<int>(std::thread::hardware_concurrency()), 1, kMaxThreads);
  return hardware;
}

namespace {

// Runs body over [0, count) in `shares` shares on up to `threads` threads;
// on the caller alone when that is all there is to use.
void Dispatch(Body body, void *ctx, int64_t count, int threads,
              int64_t shares) {
  if (count <= 0)
    return;
  shares = std::clamp<int64_t>(shares, 1, std::min<int64_t>(count, 0xffff));
  if (threads >= 2 && shares >= 2 && !inside_parallel_for) {
    inside_parallel_for = true;
    bool ran =
        GetPool().Run(body, ctx, count, static_cast<int>(shares), threads);
    inside_parallel_for = false;
    if (ran)
      return;
  }
  body(ctx, 0, count);
}

} // namespace

void ParallelFor(int64_t count, int threads, int64_t shares,
                 const std::function<void(int64_t, int64_t)> &fn) {
  using Fn = std::function<void(int64_t, int64_t)>;
  Dispatch([](void *ctx, int64_t begin,
              int64_t end) { (*static_cast<const Fn *>(ctx))(begin, end); },
           const_cast<void *>(static_cast<const void *>(&fn)), count, threads,
           shares);
}

} // namespace runtime
} // namespace ltc_mlir

extern "C" void ltc_mlir_parallel_for(void (*body)(void *, int64_t, int64_t),
                                      void *ctx, int64_t count) {
  using namespace ltc_mlir::runtime;
  int threads = GetParallelForThreads();
  // A few shares per thread, so that one that starts late is made up for.
  Dispatch(body, ctx, count, threads, threads == 1 ? 1 : 4 * threads);
}
