// ltc_mlir_parallel_for: every index runs exactly once, on the caller and the
// pool's workers, serially when one thread is allowed or when called from
// inside a body, and from several host threads at once.
#include "runtime/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

using ltc_mlir::runtime::GetParallelForThreads;
using ltc_mlir::runtime::SetParallelForThreads;

struct Record {
  std::vector<std::atomic<int>> hits;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> calls{0};
  explicit Record(int64_t n) : hits(n) {}
};

void Count(void *ctx, int64_t begin, int64_t end) {
  auto *record = static_cast<Record *>(ctx);
  record->calls.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(record->mutex);
    record->threads.insert(std::this_thread::get_id());
  }
  for (int64_t i = begin; i < end; ++i)
    record->hits[i].fetch_add(1);
}

void ExpectEachOnce(Record &record) {
  for (size_t i = 0; i < record.hits.size(); ++i)
    EXPECT_EQ(record.hits[i].load(), 1) << "index " << i;
}

class ParallelForTest : public ::testing::Test {
protected:
  void TearDown() override { SetParallelForThreads(0); }
};

TEST_F(ParallelForTest, CoversEveryIndexOnceForManyCountsAndThreads) {
  for (int threads : {1, 2, 3, 4}) {
    SetParallelForThreads(threads);
    EXPECT_EQ(GetParallelForThreads(), threads);
    for (int64_t n : {1, 2, 3, 7, 64, 1000}) {
      for (int repeat = 0; repeat < 20; ++repeat) {
        Record record(n);
        ltc_mlir_parallel_for(&Count, &record, n);
        ExpectEachOnce(record);
        // One range per share: a few shares per thread, never more shares
        // than items, one share at one thread.
        EXPECT_EQ(record.calls.load(),
                  std::min<int64_t>(n, threads == 1 ? 1 : 4 * threads));
      }
    }
  }
}

// Each share waits until two threads have entered, so the test passes only
// if a worker takes the share the first thread cannot.
void CountAndMeet(void *ctx, int64_t begin, int64_t end) {
  auto *record = static_cast<Record *>(ctx);
  Count(ctx, begin, end);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(record->mutex);
      if (record->threads.size() >= 2)
        return;
    }
    std::this_thread::yield();
  }
}

TEST_F(ParallelForTest, UsesWorkerThreads) {
  SetParallelForThreads(2);
  Record record(2);
  ltc_mlir_parallel_for(&CountAndMeet, &record, 2);
  ExpectEachOnce(record);
  EXPECT_EQ(record.threads.size(), 2u);
}

TEST_F(ParallelForTest, OneThreadRunsOnTheCaller) {
  SetParallelForThreads(1);
  Record record(100);
  ltc_mlir_parallel_for(&Count, &record, 100);
  ExpectEachOnce(record);
  EXPECT_EQ(record.calls.load(), 1);
  ASSERT_EQ(record.threads.size(), 1u);
  EXPECT_EQ(*record.threads.begin(), std::this_thread::get_id());
}

TEST_F(ParallelForTest, EmptyRangeCallsNothing) {
  SetParallelForThreads(2);
  Record record(0);
  ltc_mlir_parallel_for(&Count, &record, 0);
  ltc_mlir_parallel_for(&Count, &record, -3);
  EXPECT_EQ(record.calls.load(), 0);
}

struct Nested {
  Record inner{50};
  std::atomic<int> outer_calls{0};
};

void Outer(void *ctx, int64_t begin, int64_t end) {
  auto *nested = static_cast<Nested *>(ctx);
  nested->outer_calls.fetch_add(1);
  // Only the body that owns index 0 runs the inner loop: serially, whatever
  // thread it is on.
  if (begin == 0)
    ltc_mlir_parallel_for(&Count, &nested->inner, 50);
  (void)end;
}

TEST_F(ParallelForTest, NestedCallsRunSerially) {
  SetParallelForThreads(2);
  Nested nested;
  ltc_mlir_parallel_for(&Outer, &nested, 4);
  EXPECT_EQ(nested.outer_calls.load(), 4); // min(4 items, 4 * 2 shares)
  ExpectEachOnce(nested.inner);
  EXPECT_EQ(nested.inner.calls.load(), 1);
}

TEST_F(ParallelForTest, ConcurrentCallersEachGetTheirWorkDone) {
  SetParallelForThreads(2);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int repeat = 0; repeat < 200; ++repeat) {
        Record record(37);
        ltc_mlir_parallel_for(&Count, &record, 37);
        for (auto &hit : record.hits)
          if (hit.load() != 1)
            failures.fetch_add(1);
      }
    });
  for (std::thread &caller : callers)
    caller.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
