// 2-d convolutions through oneDNN. See onednn_conv.h.
#include "runtime/onednn_conv.h"

#include "runtime/graph_allocator.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace ltc_mlir {
namespace runtime {
namespace {

using dnnl::memory;

std::atomic<int64_t> conv_count{0};

// oneDNN's Debian build runs its kernels in OpenMP parallel regions, whose
// width is the calling thread's OpenMP setting: set for one call, then put
// back, since on the Python thread (graphs run there with LTC_MLIR_ASYNC=0)
// it is also eager PyTorch's thread count. libgomp is loaded with oneDNN,
// so it is looked up rather than linked.
class OpenMpThreadsScope {
public:
  explicit OpenMpThreadsScope(int threads) {
    if (Set() == nullptr || Get() == nullptr)
      return;
    saved_ = Get()();
    if (saved_ != threads)
      Set()(threads);
    else
      saved_ = 0;
  }
  ~OpenMpThreadsScope() {
    if (saved_ > 0)
      Set()(saved_);
  }
  OpenMpThreadsScope(const OpenMpThreadsScope &) = delete;
  OpenMpThreadsScope &operator=(const OpenMpThreadsScope &) = delete;

private:
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  static SetFn Set() {
    static const SetFn set =
        reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    return set;
  }
  static GetFn Get() {
    static const GetFn get =
        reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
    return get;
  }
  int saved_ = 0; // 0: nothing to restore
};

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

dnnl::primitive_attr SumInto() {
  dnnl::post_ops ops;
  ops.append_sum(1.0f);
  dnnl::primitive_attr attr;
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
std::unique_ptr<Plan> MakePlan(const Conv2dProblem &p) {
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
  // forward_training, as eager PyTorch asks: for forward_inference oneDNN
  // 2.6 chose NHWC kernels on AVX-512, whose filter reorder alone took
  // 1.5x as long as the channel-blocked one (ResNet-18's 512-channel
  // convolution: 2.7 against 1.8 ms).
  auto describe = [&](const memory::desc &src, const memory::desc &wt,
                      const memory::desc &dst) {
    return dnnl::convolution_forward::desc(
        dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
        src, wt, dst, strides, dilations, lead, trail);
  };
  dnnl::convolution_forward::primitive_desc pd(
      describe(AnyLayout(p.N, p.C, p.H, p.W), AnyLayout(p.F, p.C, p.KH, p.KW),
               AnyLayout(p.N, p.F, p.OH, p.OW)),
      CpuEngine());
  // Adding into the output is a sum post-op, on the convolution or on the
  // reorder into the caller's layout.
  const dnnl::primitive_attr add =
      p.accumulate ? SumInto() : dnnl::primitive_attr();
  if (pd.dst_desc() == plan->out_md) {
    // The primitive writes the caller's layout: no reorder.
    if (p.accumulate)
      pd = dnnl::convolution_forward::primitive_desc(
          describe(pd.src_desc(), pd.weights_desc(), plan->out_md), add,
          CpuEngine());
  } else {
    plan->from_dst = dnnl::reorder(dnnl::reorder::primitive_desc(
        CpuEngine(), pd.dst_desc(), CpuEngine(), plan->out_md, add));
  }
  plan->src_md = pd.src_desc();
  plan->wt_md = pd.weights_desc();
  plan->dst_md = pd.dst_desc();
  if (plan->src_md != plan->in_md)
    plan->to_src = dnnl::reorder(dnnl::reorder::primitive_desc(
        CpuEngine(), plan->in_md, CpuEngine(), plan->src_md));
  if (plan->wt_md != plan->w_md)
    plan->to_weights = dnnl::reorder(dnnl::reorder::primitive_desc(
        CpuEngine(), plan->w_md, CpuEngine(), plan->wt_md));
  plan->conv = dnnl::convolution_forward(pd);
  return plan;
}

// Plans by problem shape, strides and thread count; a problem oneDNN
// refused is remembered as a null plan. Models have few distinct shapes;
// past kMaxPlans (shapes that keep changing) the cache starts afresh, and
// callers still running a dropped plan hold their own reference.
class PlanCache {
public:
  std::shared_ptr<const Plan> Get(const Conv2dProblem &p, int threads) {
    Conv2dKey key = KeyOf(p, threads);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = plans_.find(key);
    if (it != plans_.end())
      return it->second;
    std::shared_ptr<const Plan> plan;
    try {
      plan = MakePlan(p);
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

} // namespace

bool OneDnnConv2d(int threads, const Conv2dProblem &p) {
  // Sizes that do not fit oneDNN's checks are left to the other kernels.
  if (p.N <= 0 || p.C <= 0 || p.F <= 0 || p.OH <= 0 || p.OW <= 0 || p.sh < 1 ||
      p.sw < 1 || p.dh < 1 || p.dw < 1 || p.ph < 0 || p.pw < 0)
    return false;
  const int width = std::max(threads, 1);
  OpenMpThreadsScope omp_threads(width);
  const std::shared_ptr<const Plan> plan = Plans().Get(p, width);
  if (plan == nullptr)
    return false;
  try {
    const dnnl::engine &engine = CpuEngine();
    thread_local std::optional<dnnl::stream> stream_slot;
    if (!stream_slot)
      stream_slot.emplace(engine);
    dnnl::stream &stream = *stream_slot;
    // Buffers for the primitive's layouts, where they differ.
    std::optional<ScratchFloats> src_buf, wt_buf, dst_buf;
    if (plan->to_src)
      src_buf.emplace(FloatsOf(plan->src_md));
    if (plan->to_weights)
      wt_buf.emplace(FloatsOf(plan->wt_md));
    if (plan->from_dst)
      dst_buf.emplace(FloatsOf(plan->dst_md));
    if ((src_buf && src_buf->data() == nullptr) ||
        (wt_buf && wt_buf->data() == nullptr) ||
        (dst_buf && dst_buf->data() == nullptr))
      return false;
    memory in(plan->in_md, engine, const_cast<float *>(p.in));
    memory wt(plan->w_md, engine, const_cast<float *>(p.w));
    memory out(plan->out_md, engine, p.out);
    memory src = in, weights = wt, dst = out;
    if (plan->to_src) {
      src = memory(plan->src_md, engine, src_buf->data());
      plan->to_src->execute(stream, in, src);
    }
    if (plan->to_weights) {
      weights = memory(plan->wt_md, engine, wt_buf->data());
      plan->to_weights->execute(stream, wt, weights);
    }
    if (plan->from_dst)
      dst = memory(plan->dst_md, engine, dst_buf->data());
    plan->conv.execute(stream, {{DNNL_ARG_SRC, src},
                                {DNNL_ARG_WEIGHTS, weights},
                                {DNNL_ARG_DST, dst}});
    if (plan->from_dst)
      plan->from_dst->execute(stream, dst, out);
    stream.wait();
  } catch (const dnnl::error &) {
    // The primitives exist and the memory objects match their layouts, so
    // oneDNN has nothing left to refuse here; should it throw anyway, it
    // does so before it writes.
    return false;
  }
  conv_count.fetch_add(1, std::memory_order_relaxed);
  return true;
}

int64_t OneDnnConvCount() { return conv_count.load(std::memory_order_relaxed); }

} // namespace runtime
} // namespace ltc_mlir
