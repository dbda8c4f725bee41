// 2-d convolutions through oneDNN. See onednn_conv.h.
#include "runtime/onednn_conv.h"

#include "runtime/device.h"
#include "runtime/graph_allocator.h"
#include "runtime/graph_inputs.h"
#include "runtime/openmp_threads.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace ltc_mlir {
namespace runtime {
namespace {

using dnnl::memory;

std::atomic<int64_t> conv_count{0};
std::atomic<int64_t> winograd_count{0};

const dnnl::engine &CpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::desc Strided(int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                     const int64_t s[4]) {
  return memory::desc({d0, d1, d2, d3}, memory::data_type::f32,
                      memory::dims{s[0], s[1], s[2], s[3]});
}

memory::desc AnyLayout(int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
  return memory::desc({d0, d1, d2, d3}, memory::data_type::f32,
                      memory::format_tag::any);
}

size_t FloatsOf(const memory::desc &md) {
  return (md.get_size() + sizeof(float) - 1) / sizeof(float);
}

// Every primitive takes its scratch memory from the caller: oneDNN's own,
// shared by the primitives a thread runs, crashed its Winograd kernels on
// the device's worker thread.
dnnl::primitive_attr CallerScratch() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::primitive_attr SumInto() {
  dnnl::post_ops ops;
  ops.append_sum(1.0f);
  dnnl::primitive_attr attr = CallerScratch();
  attr.set_post_ops(ops);
  return attr;
}

// Everything one problem shape needs, built once: the primitive in the
// layouts oneDNN prefers, and the reorders between those and the caller's.
struct Plan {
  dnnl::convolution_forward conv;
  memory::desc in_md, w_md, out_md;   // the caller's layouts
  memory::desc src_md, wt_md, dst_md; // the primitive's
  // Absent where the two layouts agree. The result's reorder writes (or
  // adds into) the caller's output; without it the convolution does.
  std::optional<dnnl::reorder> to_src, to_weights, from_dst;
  // The most scratch memory any of them needs.
  size_t scratch_bytes = 0;
};

// The trailing padding that makes oneDNN's output size OH from H, or -1.
int64_t TrailingPadding(int64_t H, int64_t K, int64_t s, int64_t d,
                        int64_t lead, int64_t OH) {
  int64_t reach = (K - 1) * d + 1;
  int64_t trail = std::max<int64_t>(0, (OH - 1) * s + reach - H - lead);
  int64_t span = H + lead + trail - reach;
  return span >= 0 && span / s + 1 == OH ? trail : -1;
}

// Throws dnnl::error when oneDNN refuses the problem.
std::unique_ptr<Plan> MakePlan(const Conv2dProblem &p,
                               OneDnnConvAlgorithm algorithm, bool inference) {
  int64_t trail_h = TrailingPadding(p.H, p.KH, p.sh, p.dh, p.ph, p.OH);
  int64_t trail_w = TrailingPadding(p.W, p.KW, p.sw, p.dw, p.pw, p.OW);
  if (trail_h < 0 || trail_w < 0)
    return nullptr;
  auto plan = std::make_unique<Plan>();
  plan->in_md = Strided(p.N, p.C, p.H, p.W, p.in_s);
  plan->w_md = Strided(p.F, p.C, p.KH, p.KW, p.w_s);
  plan->out_md = Strided(p.N, p.F, p.OH, p.OW, p.out_s);
  const memory::dims strides{p.sh, p.sw}, dilations{p.dh - 1, p.dw - 1},
      lead{p.ph, p.pw}, trail{trail_h, trail_w};
  // forward_training, as eager PyTorch asks, unless `inference`: for
  // forward_inference oneDNN 2.6 chose NHWC kernels on AVX-512, whose filter
  // reorder alone took 1.5x as long as the channel-blocked one (ResNet-18's
  // 512-channel convolution: 2.7 against 1.8 ms). Its Winograd kernels for
  // inference want the filter pre-transformed, by a reorder 20-50x slower
  // than the convolution (worth it only for a filter kept across calls,
  // FilterCache); those for training take the channel-blocked filter and
  // transform it inside.
  const dnnl::prop_kind prop = inference ? dnnl::prop_kind::forward_inference
                                         : dnnl::prop_kind::forward_training;
  const dnnl::algorithm kind = algorithm == OneDnnConvAlgorithm::kWinograd
                                   ? dnnl::algorithm::convolution_winograd
                                   : dnnl::algorithm::convolution_direct;
  auto describe = [&](const memory::desc &src, const memory::desc &wt,
                      const memory::desc &dst) {
    return dnnl::convolution_forward::desc(prop, kind, src, wt, dst, strides,
                                           dilations, lead, trail);
  };
  dnnl::convolution_forward::primitive_desc pd(
      describe(AnyLayout(p.N, p.C, p.H, p.W), AnyLayout(p.F, p.C, p.KH, p.KW),
               AnyLayout(p.N, p.F, p.OH, p.OW)),
      CallerScratch(), CpuEngine());
  // Adding into the output is a sum post-op, on the convolution or on the
  // reorder into the caller's layout.
  const dnnl::primitive_attr add = p.accumulate ? SumInto() : CallerScratch();
  if (pd.dst_desc() == plan->out_md) {
    // The primitive writes the caller's layout: no reorder.
    if (p.accumulate)
      pd = dnnl::convolution_forward::primitive_desc(
          describe(pd.src_desc(), pd.weights_desc(), plan->out_md), add,
          CpuEngine());
  } else {
    dnnl::reorder::primitive_desc rd(CpuEngine(), pd.dst_desc(), CpuEngine(),
                                     plan->out_md, add);
    plan->scratch_bytes = rd.scratchpad_desc().get_size();
    plan->from_dst = dnnl::reorder(rd);
  }
  plan->src_md = pd.src_desc();
  plan->wt_md = pd.weights_desc();
  plan->dst_md = pd.dst_desc();
  auto reorder = [&](const memory::desc &from, const memory::desc &to) {
    dnnl::reorder::primitive_desc rd(CpuEngine(), from, CpuEngine(), to,
                                     CallerScratch());
    plan->scratch_bytes =
        std::max(plan->scratch_bytes, rd.scratchpad_desc().get_size());
    return dnnl::reorder(rd);
  };
  if (plan->src_md != plan->in_md)
    plan->to_src = reorder(plan->in_md, plan->src_md);
  if (plan->wt_md != plan->w_md)
    plan->to_weights = reorder(plan->w_md, plan->wt_md);
  plan->scratch_bytes =
      std::max(plan->scratch_bytes, pd.scratchpad_desc().get_size());
  plan->conv = dnnl::convolution_forward(pd);
  return plan;
}

// Plans by problem shape, strides, thread count, algorithm and propagation
// kind (training or inference); a problem oneDNN
// refused is remembered as a null plan. Models have few distinct shapes;
// past kMaxPlans (shapes that keep changing) the cache starts afresh, and
// callers still running a dropped plan hold their own reference.
class PlanCache {
public:
  std::shared_ptr<const Plan> Get(const Conv2dProblem &p, int threads,
                                  OneDnnConvAlgorithm algorithm,
                                  bool inference) {
    // The key's thread count slot also carries the algorithm and kind.
    Conv2dKey key = KeyOf(p, 4 * threads + 2 * int(algorithm) + inference);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = plans_.find(key);
    if (it != plans_.end())
      return it->second;
    std::shared_ptr<const Plan> plan;
    try {
      plan = MakePlan(p, algorithm, inference);
    } catch (const dnnl::error &) {
      plan = nullptr;
    }
    if (plans_.size() >= kMaxPlans)
      plans_.clear();
    return plans_.emplace(key, std::move(plan)).first->second;
  }

private:
  static constexpr size_t kMaxPlans = 512;
  std::mutex mutex_;
  std::unordered_map<Conv2dKey, std::shared_ptr<const Plan>, Conv2dKeyHash>
      plans_;
};

PlanCache &Plans() {
  static PlanCache *cache = new PlanCache(); // outlives every caller
  return *cache;
}

std::atomic<int64_t> filter_reorders{0};

constexpr size_t kMaxTransformedFilterBytes = size_t{16} << 20;

// Filters in the layout a plan wants, made from graph inputs
// (graph_inputs.h) and kept while the input's contents id lives: a model's
// weights are reordered once, not on every call. ResNet-18's 512-channel
// filter took 2.3 ms to reorder, a third of its convolution. Bounded by
// kMaxBytes; past it, filters are reordered per call as before.
class FilterCache {
public:
  FilterCache() : listening_(AddContentsIdReleaseListener(&Released)) {}

  // The filter for `plan`, read from the input bytes whose contents id is
  // `id` at `offset` (p.w): found, or reordered now and kept. Null when it
  // cannot be kept (the cache is full, or memory short).
  std::shared_ptr<const float>
  Get(uint64_t id, size_t offset, const Plan &plan, const memory &from,
      dnnl::stream &stream,
      const std::function<void(const memory &, const memory &)> &reorder) {
    if (!listening_)
      return nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (const Entry *entry = FindLocked(id, offset, plan))
        return entry->data;
    }
    const size_t bytes = plan.wt_md.get_size();
    if (bytes_.load() + bytes > kMaxBytes)
      return nullptr;
    std::shared_ptr<float> data(
        static_cast<float *>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)),
        &std::free);
    if (data == nullptr)
      return nullptr;
    reorder(from, memory(plan.wt_md, CpuEngine(), data.get()));
    stream.wait();
    filter_reorders.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mutex_);
    if (const Entry *entry = FindLocked(id, offset, plan))
      return entry->data; // another thread was first
    entries_[id].push_back({offset, plan.w_md, plan.wt_md, data, bytes});
    bytes_ += bytes;
    return data;
  }

  // Whether `bytes` more would fit under kMaxBytes now.
  bool HasRoomFor(size_t bytes) const {
    return bytes_.load() + bytes <= kMaxBytes;
  }

  // Whether a filter for `plan` is kept for these input bytes.
  bool Has(uint64_t id, size_t offset, const Plan &plan) {
    std::lock_guard<std::mutex> lock(mutex_);
    return FindLocked(id, offset, plan) != nullptr;
  }

  // Whether some plan has read these input bytes, laid out as `from`, before:
  // they are reused across calls.
  bool Seen(uint64_t id, size_t offset, const memory::desc &from) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(id);
    if (it != entries_.end())
      for (const Entry &entry : it->second)
        if (entry.offset == offset && entry.from == from)
          return true;
    return false;
  }

  size_t bytes() const { return bytes_.load(); }

private:
  static constexpr size_t kMaxBytes = size_t{256} << 20;

  static void Released(uint64_t id);

  void Drop(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end())
      return;
    for (const Entry &entry : it->second)
      bytes_ -= entry.bytes;
    entries_.erase(it);
  }

  struct Entry {
    size_t offset;
    memory::desc from, to;
    std::shared_ptr<float> data;
    size_t bytes;
  };

  // The kept filter for `plan` from these input bytes, or null; mutex_ held.
  const Entry *FindLocked(uint64_t id, size_t offset, const Plan &plan) const {
    auto it = entries_.find(id);
    if (it != entries_.end())
      for (const Entry &entry : it->second)
        if (entry.offset == offset && entry.from == plan.w_md &&
            entry.to == plan.wt_md)
          return &entry;
    return nullptr;
  }
  const bool listening_;
  std::mutex mutex_;
  std::atomic<size_t> bytes_{0};
  std::unordered_map<uint64_t, std::vector<Entry>> entries_;
};

FilterCache &Filters() {
  static FilterCache *cache = new FilterCache(); // outlives every buffer
  return *cache;
}

void FilterCache::Released(uint64_t id) { Filters().Drop(id); }

} // namespace

bool OneDnnConv2d(int threads, const Conv2dProblem &p,
                  OneDnnConvAlgorithm algorithm, bool *transformed_filter) {
  if (transformed_filter != nullptr)
    *transformed_filter = false;
  // Sizes that do not fit oneDNN's checks are left to the other kernels.
  if (p.N <= 0 || p.C <= 0 || p.F <= 0 || p.OH <= 0 || p.OW <= 0 || p.sh < 1 ||
      p.sw < 1 || p.dh < 1 || p.dw < 1 || p.ph < 0 || p.pw < 0)
    return false;
  const int width = std::max(threads, 1);
  OpenMpThreadsScope omp_threads(width);
  std::shared_ptr<const Plan> plan =
      Plans().Get(p, width, algorithm, /*inference=*/false);
  if (plan == nullptr)
    return false;
  // A filter that is a graph input: its contents id (else 0) and its offset
  // in the input. The caller's filter layout is the same in every plan.
  size_t filter_offset = 0;
  const uint64_t filter_id =
      plan->to_weights
          ? GraphInputContentsId(p.w, plan->w_md.get_size(), &filter_offset)
          : 0;
  // Winograd on a filter that is a graph input seen before (so likely seen
  // again): the inference kernels, on a filter transformed once and kept.
  // They ran ResNet-18's 256-channel 14x14 convolution in 4.4 ms against
  // 6.1 ms for the direct one. Not when the transformed filter is large: the
  // 512-channel one is 36 MB and took 300 ms to make, for no gain.
  if (algorithm == OneDnnConvAlgorithm::kWinograd && filter_id != 0) {
    std::shared_ptr<const Plan> inference =
        Plans().Get(p, width, algorithm, /*inference=*/true);
    if (inference != nullptr && inference->to_weights &&
        inference->wt_md.get_size() <= kMaxTransformedFilterBytes) {
      if (Filters().Has(filter_id, filter_offset, *inference)) {
        plan = inference;
      } else if (Filters().Seen(filter_id, filter_offset, plan->w_md) &&
                 Filters().HasRoomFor(inference->wt_md.get_size())) {
        plan = inference;
        if (transformed_filter != nullptr)
          *transformed_filter = true;
      }
    }
  }
  try {
    const dnnl::engine &engine = CpuEngine();
    thread_local std::optional<dnnl::stream> stream_slot;
    if (!stream_slot)
      stream_slot.emplace(engine);
    dnnl::stream &stream = *stream_slot;
    // Buffers for the primitive's layouts, where they differ.
    std::optional<ScratchFloats> src_buf, wt_buf, dst_buf, scratch_buf;
    if (plan->scratch_bytes > 0)
      scratch_buf.emplace((plan->scratch_bytes + sizeof(float) - 1) /
                          sizeof(float));
    if (plan->to_src)
      src_buf.emplace(FloatsOf(plan->src_md));
    if (plan->from_dst)
      dst_buf.emplace(FloatsOf(plan->dst_md));
    if ((src_buf && src_buf->data() == nullptr) ||
        (dst_buf && dst_buf->data() == nullptr) ||
        (scratch_buf && scratch_buf->data() == nullptr))
      return false;
    // One scratch buffer serves the primitives in turn.
    std::optional<memory> scratch;
    if (scratch_buf)
      scratch.emplace(memory::desc({int64_t(plan->scratch_bytes)},
                                   memory::data_type::u8,
                                   memory::format_tag::a),
                      engine, scratch_buf->data());
    auto run = [&](const dnnl::primitive &primitive,
                   std::unordered_map<int, memory> args) {
      if (scratch)
        args.emplace(DNNL_ARG_SCRATCHPAD, *scratch);
      primitive.execute(stream, args);
    };
    memory in(plan->in_md, engine, const_cast<float *>(p.in));
    memory wt(plan->w_md, engine, const_cast<float *>(p.w));
    memory out(plan->out_md, engine, p.out);
    memory src = in, weights = wt, dst = out;
    // The filter first: when it is a graph input, it is reordered once per
    // contents and kept (FilterCache).
    std::shared_ptr<const float> kept_filter;
    if (plan->to_weights) {
      auto reorder_filter = [&](const memory &from, const memory &to) {
        run(*plan->to_weights, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
      };
      if (filter_id != 0)
        kept_filter = Filters().Get(filter_id, filter_offset, *plan, wt, stream,
                                    reorder_filter);
      if (kept_filter != nullptr) {
        weights =
            memory(plan->wt_md, engine, const_cast<float *>(kept_filter.get()));
      } else {
        wt_buf.emplace(FloatsOf(plan->wt_md));
        if (wt_buf->data() == nullptr)
          return false;
        weights = memory(plan->wt_md, engine, wt_buf->data());
        filter_reorders.fetch_add(1, std::memory_order_relaxed);
        reorder_filter(wt, weights);
      }
    }
    if (plan->to_src) {
      src = memory(plan->src_md, engine, src_buf->data());
      run(*plan->to_src, {{DNNL_ARG_FROM, in}, {DNNL_ARG_TO, src}});
    }
    if (plan->from_dst)
      dst = memory(plan->dst_md, engine, dst_buf->data());
    run(plan->conv, {{DNNL_ARG_SRC, src},
                     {DNNL_ARG_WEIGHTS, weights},
                     {DNNL_ARG_DST, dst}});
    if (plan->from_dst)
      run(*plan->from_dst, {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, out}});
    stream.wait();
  } catch (const dnnl::error &) {
    // The primitives exist and the memory objects match their layouts, so
    // oneDNN has nothing left to refuse here; should it throw anyway, it
    // does so before it writes.
    return false;
  }
  (algorithm == OneDnnConvAlgorithm::kWinograd ? winograd_count : conv_count)
      .fetch_add(1, std::memory_order_relaxed);
  return true;
}

int64_t OneDnnConvCount() { return conv_count.load(std::memory_order_relaxed); }

int64_t OneDnnFilterReorderCount() {
  return filter_reorders.load(std::memory_order_relaxed);
}

size_t OneDnnKeptFilterBytes() { return Filters().bytes(); }

int64_t OneDnnWinogradConvCount() {
  return winograd_count.load(std::memory_order_relaxed);
}

} // namespace runtime
} // namespace ltc_mlir
