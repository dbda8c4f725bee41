// The width of OpenMP parallel regions started by oneDNN, for one call.
#ifndef LTC_MLIR_RUNTIME_OPENMP_THREADS_H_
#define LTC_MLIR_RUNTIME_OPENMP_THREADS_H_

#include <dlfcn.h>

namespace ltc_mlir {
namespace runtime {

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

} // namespace runtime
} // namespace ltc_mlir

#endif // LTC_MLIR_RUNTIME_OPENMP_THREADS_H_
