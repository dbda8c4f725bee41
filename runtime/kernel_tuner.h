// Per-shape choice among interchangeable kernels, by timing their first calls.
//
// Which of several kernels computing the same result is fastest depends on
// the machine as much as on the problem's shape (measurements in
// docs/PERFORMANCE.md), so the choice is made where the code runs. The first
// calls of each key run every candidate `rounds` times in turn (each call
// computes the full result), and later calls run the candidate with the
// shortest time. A candidate's first run is not timed: it builds plans and
// JIT kernels and faults in scratch. Times are minima: a noisy machine only
// ever slows a run. Turns go to the candidate picked least often, so that
// calls of one key on several threads at once still time every candidate.
#ifndef LTC_MLIR_RUNTIME_KERNEL_TUNER_H_
#define LTC_MLIR_RUNTIME_KERNEL_TUNER_H_

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ltc_mlir {
namespace runtime {

// Kernels are numbered 1 to kKernels - 1; 0 means "tune" (auto). `describe`
// names a key for LTC_MLIR_DEBUG's report of each choice.
template <typename Key, typename Hash, int kKernels> class KernelTuner {
public:
  using DescribeFn = std::string (*)(const Key &key);

  KernelTuner(int rounds, int fallback, const char *const *names,
              DescribeFn describe, int forced, bool debug)
      : rounds_(rounds), fallback_(fallback), names_(names),
        describe_(describe), forced_(forced), debug_(debug) {}

  // Runs `kernel` from now on (0: tune afresh).
  void Force(int kernel) {
    std::lock_guard<std::mutex> lock(mutex_);
    forced_ = kernel;
    entries_.clear();
  }

  // The forced kernel, or 0.
  int forced() const { return forced_.load(std::memory_order_relaxed); }

  // The kernel to run for `key` among `candidates` (bit i: kernel i, which
  // must include the fallback); *timed says whether the caller should
  // Record how long it took. A forced kernel that is no candidate runs the
  // fallback.
  int Pick(const Key &key, unsigned candidates, bool *timed) {
    *timed = false;
    std::lock_guard<std::mutex> lock(mutex_);
    const int forced = forced_;
    if (forced != 0)
      return candidates & Bit(forced) ? forced : fallback_;
    if (entries_.size() >= kMaxEntries && !entries_.count(key))
      entries_.clear(); // shapes that keep changing: start afresh
    Entry &entry = entries_[key];
    if (entry.chosen != 0)
      return entry.chosen;
    candidates &= ~entry.failed;
    int turn = 0;
    if (__builtin_popcount(candidates) > 1)
      for (int i = 1; i < kKernels; ++i)
        if ((candidates & Bit(i)) && entry.runs[i] < rounds_ &&
            (turn == 0 || entry.picks[i] < entry.picks[turn]))
          turn = i;
    if (turn == 0) {
      int best = fallback_;
      for (int i = 1; i < kKernels; ++i)
        if ((candidates & Bit(i)) && entry.seconds[i] < entry.seconds[best])
          best = i;
      entry.chosen = best;
      if (debug_)
        Report(key, entry, best);
      return best;
    }
    ++entry.picks[turn];
    *timed = true;
    return turn;
  }

  // `ran`: false when the kernel refused the problem (it is not tried
  // again). `one_time`: the call also did work later calls will not repeat
  // (a filter transformed and kept); its time is left out and the same
  // kernel gets the turn again, up to kMaxOneTimeCalls times per key.
  void Record(const Key &key, int kernel, bool ran, double seconds,
              bool one_time = false) {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry &entry = entries_[key];
    if (!ran) {
      entry.failed |= Bit(kernel);
      return;
    }
    if (one_time && entry.one_time_calls < kMaxOneTimeCalls) {
      ++entry.one_time_calls;
      --entry.picks[kernel];
      return;
    }
    if (entry.runs[kernel]++ > 0)
      entry.seconds[kernel] = std::min(entry.seconds[kernel], seconds);
  }

private:
  static unsigned Bit(int kernel) { return 1u << kernel; }

  static constexpr double kNever = 1e300;
  static constexpr size_t kMaxEntries = 4096;
  static constexpr int kMaxOneTimeCalls = 16;
  struct Entry {
    int picks[kKernels] = {};
    int runs[kKernels] = {};
    int one_time_calls = 0;
    unsigned failed = 0;
    int chosen = 0;
    // Fastest timed run of each kernel so far (slot 0 unused).
    double seconds[kKernels];
    Entry() { std::fill(seconds, seconds + kKernels, kNever); }
  };

  void Report(const Key &key, const Entry &entry, int chosen) const {
    std::string times;
    for (int i = 1; i < kKernels; ++i)
      if (entry.seconds[i] < kNever)
        times += std::string(" ") + names_[i] + " " +
                 std::to_string(entry.seconds[i] * 1e3) + " ms";
    std::fprintf(stderr, "ltc-mlir: %s:%s -> %s\n", describe_(key).c_str(),
                 times.c_str(), names_[chosen]);
  }

  const int rounds_;
  const int fallback_;
  const char *const *names_;
  const DescribeFn describe_;
  std::mutex mutex_;
  std::atomic<int> forced_; // written under mutex_
  const bool debug_;
  std::unordered_map<Key, Entry, Hash> entries_;
};

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_KERNEL_TUNER_H_
