#include "ltc_backend/backend_impl.h"

#include "ltc_backend/backend_data.h"
#include "ltc_backend/compile_diagnostics.h"
#include "ltc_backend/eager_fallback.h"
#include "ltc_backend/eager_interpreter.h"
#include "ltc_backend/functional_updates.h"
#include "ltc_backend/functional_views.h"
#include "ltc_backend/inplace_functions.h"
#include "ltc_backend/ir_nodes.h"
#include "ltc_backend/lazy_tensor.h"
#include "ltc_backend/mlir_computation.h"
#include "ltc_backend/mlir_context.h"
#include "ltc_backend/mlir_lowering_context.h"
#include "mlir_lowering/Compiler/TorchCompiler.h"
#include "runtime/buffer_pool.h"
#include "runtime/cpu_device.h"
#include "runtime/cpu_kernels.h"
#include "runtime/executable_cache.h"
#include "runtime/graph_allocator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/Host.h"

#include <ATen/Functions.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/csrc/lazy/backend/backend_device.h>
#include <torch/csrc/lazy/core/config.h>
#include <torch/csrc/lazy/core/ir_dump_util.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/lazy/core/tensor.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <elf.h>
#include <fstream>
#include <link.h>
#include <map>
#include <mutex>
#include <sstream>
#include <tuple>
#include <sys/stat.h>
#include <unistd.h>

namespace at {
// Defined by torchgen in ltc_backend/generated/RegisterLazy.cpp.
void RegisterLazyLazyNativeFunctions();
} // namespace at

namespace ltc_mlir {

namespace {

using torch::lazy::BackendDataPtr;
using torch::lazy::BackendDevice;
using torch::lazy::Shape;

struct MlirDeviceType : public torch::lazy::BackendDeviceType {
  MlirDeviceType() : BackendDeviceType(static_cast<int8_t>(at::kCPU)) {}
  std::string toString() const override {
    return "CPU";
  }
};

runtime::Device& Device() {
  return runtime::GetCpuDevice();
}

// Result and transfer buffers come from a free list keyed by size, so a
// steady training loop reuses last step's dead buffers instead of asking the
// allocator (and the kernel, for large ones) every step.
runtime::BufferPool& Pool() {
  static runtime::BufferPool* pool = [] {
    size_t megabytes = 256;
    if (const char* env = std::getenv("LTC_MLIR_BUFFER_POOL_MB"))
      megabytes = std::strtoull(env, nullptr, 10);
    return new runtime::BufferPool(Device(), megabytes << 20);
  }();
  return *pool;
}

std::string DumpDir() {
  const char* dir = std::getenv("LTC_MLIR_DUMP_DIR");
  return dir ? std::string(dir) : std::string();
}

// Writes `text` to dir/name, creating dir; returns the path ("" on failure).
std::string WriteDump(const std::string& dir, const std::string& name, const std::string& text) {
  if (dir.empty())
    return "";
  ::mkdir(dir.c_str(), 0755);
  std::string path = dir + "/" + name;
  std::ofstream out(path);
  if (!out)
    return "";
  out << text;
  return path;
}

// Bump whenever a change to the lowering or the CPU pipeline changes the code
// generated for the same Torch-dialect MLIR. (The fingerprint also holds the
// build id of the binary the compiler is linked into, so a rebuilt compiler
// never reuses old entries even when this is forgotten.)
constexpr int kPipelineVersion = 17;

std::string HexDigest(uint64_t high, uint64_t low, bool wide) {
  char text[33];
  if (wide)
    std::snprintf(text, sizeof(text), "%016llx%016llx", (unsigned long long)high,
                  (unsigned long long)low);
  else
    std::snprintf(text, sizeof(text), "%016llx", (unsigned long long)low);
  return text;
}

// A 128-bit hash of the Torch-dialect text: names dumps and keys the cache.
std::string GraphHash(const std::string& torch_mlir) {
  llvm::XXH128_hash_t hash = llvm::xxh3_128bits(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(torch_mlir.data()),
                              torch_mlir.size()));
  return HexDigest(hash.high64, hash.low64, /*wide=*/true);
}

// The GNU build id of the loaded object holding `address`, in hex, or "".
std::string BuildIdOf(const void* address) {
  struct Search {
    uintptr_t address;
    std::string id;
  } search{reinterpret_cast<uintptr_t>(address), ""};
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* data) -> int {
        auto* search = static_cast<Search*>(data);
        bool contains = false;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          uintptr_t start = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type == PT_LOAD && search->address >= start &&
              search->address < start + ph.p_memsz)
            contains = true;
        }
        if (!contains)
          return 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE)
            continue;
          const char* note = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = note + ph.p_memsz;
          while (note + sizeof(ElfW(Nhdr)) <= end) {
            const auto* header = reinterpret_cast<const ElfW(Nhdr)*>(note);
            const char* name = note + sizeof(ElfW(Nhdr));
            const char* desc = name + ((header->n_namesz + 3) & ~3u);
            const char* next = desc + ((header->n_descsz + 3) & ~3u);
            if (next > end)
              break;
            if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 &&
                std::string(name, 3) == "GNU") {
              search->id = llvm::toHex(
                  llvm::StringRef(desc, header->n_descsz), /*LowerCase=*/true);
              return 1;
            }
            note = next;
          }
        }
        return 1;
      },
      &search);
  return search.id;
}

// Everything besides the graph that changes the generated code.
const std::string& CacheFingerprint() {
  static const std::string fingerprint = [] {
    mlir::ltc::TorchCompileOptions options;
    std::vector<std::string> features;
    for (const auto& feature : llvm::sys::getHostCPUFeatures())
      if (feature.second)
        features.push_back(feature.first().str());
    std::sort(features.begin(), features.end());
    std::string build = BuildIdOf(reinterpret_cast<const void*>(
        &mlir::ltc::compileTorchModuleToObject));
    if (build.empty())
      build = std::string("built ") + __DATE__ " " __TIME__;
    std::stringstream ss;
    ss << "llvm " << LLVM_VERSION_STRING << "\npipeline " << kPipelineVersion
       << "\nbuild " << build << "\ncpu " << llvm::sys::getHostCPUName().str()
       << "\nfeatures";
    for (const std::string& feature : features)
      ss << " +" << feature;
    ss << "\nopt " << options.optLevel << "\nentry " << options.entrySymbol << "\n";
    return ss.str();
  }();
  return fingerprint;
}

runtime::ExecutableCache& Cache() {
  static runtime::ExecutableCache* cache = [] {
    auto* cache = new runtime::ExecutableCache(
        runtime::CacheOptionsFromEnvironment(CacheFingerprint()));
    if (!cache->disk_error().empty())
      TORCH_WARN("ltc-mlir: the on-disk executable cache is off: ", cache->disk_error());
    return cache;
  }();
  return *cache;
}

std::string CacheKey(const std::string& graph_hash) {
  return graph_hash + "-" +
      HexDigest(0, llvm::xxh3_64bits(CacheFingerprint()), /*wide=*/false);
}

std::string JsonShapes(const std::vector<Shape>& shapes) {
  std::stringstream ss;
  ss << "[";
  for (size_t i = 0; i < shapes.size(); ++i) {
    ss << (i ? ", " : "") << "{\"dtype\": "
       << JsonString(c10::toString(shapes[i].scalar_type())) << ", \"shape\": [";
    for (size_t d = 0; d < shapes[i].sizes().size(); ++d)
      ss << (d ? ", " : "") << shapes[i].sizes()[d];
    ss << "]}";
  }
  ss << "]";
  return ss.str();
}

// How often each torch.* op appears in the Torch-dialect text.
std::map<std::string, int> OpHistogram(const std::string& torch_mlir) {
  std::map<std::string, int> histogram;
  std::istringstream lines(torch_mlir);
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find("= torch.");
    if (eq == std::string::npos)
      continue;
    size_t start = eq + 2;
    size_t end = line.find_first_of(" (", start);
    histogram[line.substr(start, end == std::string::npos ? end : end - start)]++;
  }
  return histogram;
}

struct StageTimes {
  double parse_ms = 0, torch_to_linalg_ms = 0, lowering_ms = 0, llvm_ms = 0,
         codegen_ms = 0, total_ms = 0;
};

// The entry's description, read by tools/ltc_mlir_cache.py.
std::string CacheMetadata(const MlirComputation& comp, const std::string& graph_hash,
                          const runtime::ObjectCode& object, const StageTimes& times,
                          const SyncProvenance& provenance) {
  std::stringstream ss;
  ss << "{\n  \"graph_hash\": " << JsonString(graph_hash)
     << ",\n  \"llvm_version\": " << JsonString(LLVM_VERSION_STRING)
     << ",\n  \"pipeline_version\": " << kPipelineVersion
     << ",\n  \"cpu\": " << JsonString(llvm::sys::getHostCPUName().str())
     << ",\n  \"inputs\": " << JsonShapes(comp.parameter_shapes())
     << ",\n  \"outputs\": " << JsonShapes(comp.result_shapes())
     << ",\n  \"input_bytes\": [";
  for (size_t i = 0; i < object.input_bytes.size(); ++i)
    ss << (i ? ", " : "") << object.input_bytes[i];
  ss << "],\n  \"output_bytes\": [";
  for (size_t i = 0; i < object.output_bytes.size(); ++i)
    ss << (i ? ", " : "") << object.output_bytes[i];
  ss << "],\n  \"object_bytes\": " << object.bytes.size() << ",\n  \"ops\": {";
  bool first = true;
  for (const auto& op : OpHistogram(comp.torch_mlir())) {
    ss << (first ? "" : ", ") << JsonString(op.first) << ": " << op.second;
    first = false;
  }
  ss << "},\n  \"compile_ms\": {\"parse\": " << times.parse_ms
     << ", \"torch_to_linalg\": " << times.torch_to_linalg_ms
     << ", \"lowering\": " << times.lowering_ms << ", \"llvm\": " << times.llvm_ms
     << ", \"codegen\": " << times.codegen_ms << ", \"total\": " << times.total_ms
     << "},\n  \"provenance\": " << provenance.ToJson() << "\n}\n";
  return ss.str();
}

// Adds `ms` to a time metric (LTC time metrics hold nanoseconds).
void AddTimeSample(const char* name, double ms) {
  static std::mutex mutex;
  static std::map<std::string, torch::lazy::Metric*>* metrics =
      new std::map<std::string, torch::lazy::Metric*>();
  torch::lazy::Metric* metric;
  {
    std::lock_guard<std::mutex> lock(mutex);
    torch::lazy::Metric*& slot = (*metrics)[name];
    if (!slot)
      slot = new torch::lazy::Metric(name, torch::lazy::MetricFnTime);
    metric = slot;
  }
  metric->AddSample(ms * 1e6);
}

double MsSince(int64_t start_ns) {
  return static_cast<double>(torch::lazy::NowNs() - start_ns) / 1e6;
}

at::Tensor ToCpuTensor(const MlirBackendData& data) {
  const Shape& shape = data.shape();
  at::Tensor tensor = at::empty(shape.sizes(), at::TensorOptions(shape.scalar_type()));
  TORCH_CHECK(data.buffer(), "ltc-mlir: reading device data that has no value");
  size_t bytes = tensor.numel() * tensor.element_size();
  absl::Status status = Device().CopyFromDevice(*data.buffer(), tensor.data_ptr(), bytes);
  TORCH_CHECK(status.ok(), "ltc-mlir: device to host copy failed: ", status.ToString());
  TORCH_LAZY_COUNTER("TransferFromDevice", 1);
  return tensor;
}

BackendDataPtr FromCpuTensor(const at::Tensor& tensor, const BackendDevice& device) {
  at::Tensor contiguous = tensor.contiguous();
  Shape shape(contiguous.scalar_type(), contiguous.sizes());
  size_t bytes = contiguous.numel() * contiguous.element_size();
  auto buffer = Pool().Allocate(bytes);
  TORCH_CHECK(buffer.ok(), "ltc-mlir: allocation failed: ", buffer.status().ToString());
  absl::Status status = Device().CopyToDevice(contiguous.data_ptr(), bytes, **buffer);
  TORCH_CHECK(status.ok(), "ltc-mlir: host to device copy failed: ", status.ToString());
  TORCH_LAZY_COUNTER("TransferToDevice", 1);
  return std::make_shared<MlirBackendData>(device, shape, std::move(*buffer));
}

class MlirBackendImpl : public torch::lazy::BackendImplInterface {
 public:
  MlirBackendImpl() : default_device_type_(std::make_shared<MlirDeviceType>()) {}

  void PrepareToExit() const override {}

  void SetRngSeed(size_t seed) const override {
    rng_seed_ = seed;
  }

  const torch::lazy::IrBuilder* GetIrBuilder() const override {
    return GetMlirIrBuilder();
  }

  BackendDataPtr MakeComputationDataFromTensor(const at::Tensor& tensor, const Shape& shape,
                                               const BackendDevice& device) const override {
    at::Tensor typed = tensor.to(at::kCPU, shape.scalar_type());
    return FromCpuTensor(typed, device);
  }

  // Equal scalars share one upload (lazy_tensor.h), as the traced ops'
  // scalar operands do.
  BackendDataPtr MakeComputationDataFromScalar(const at::Scalar& scalar,
                                               const BackendDevice& device) const override {
    if (scalar.isComplex())
      return FromCpuTensor(at::scalar_tensor(scalar, at::TensorOptions(scalar.type())), device);
    return ScalarData(scalar, scalar.type(), device);
  }

  BackendDataPtr CreateDataPlaceholder(const BackendDevice& device,
                                       const Shape& shape) const override {
    // Called by the syncing thread for each result of a graph about to run:
    // the graph's loops and GEMMs get that thread's intra-op thread count.
    // Reading it here rather than on the I/O thread matters: the first
    // at::get_num_threads() on a new thread re-applies the count, and that
    // rebuilds torch's pthreadpool (new threads each time LTC spawns one).
    runtime::SetCpuKernelThreads(at::get_num_threads());
    return std::make_shared<MlirBackendData>(device, shape);
  }

  BackendDataPtr GetComputationDataFromNode(torch::lazy::Node* node) const override {
    const DeviceDataNode* data = DeviceDataNode::Cast(node);
    return data ? data->data() : nullptr;
  }

  at::Tensor MakeTensorFromComputationData(
      const BackendDataPtr data,
      c10::optional<at::ScalarType> logical_scalar_type) const override {
    at::Tensor tensor = ToCpuTensor(static_cast<const MlirBackendData&>(*data));
    if (logical_scalar_type && *logical_scalar_type != tensor.scalar_type())
      tensor = tensor.to(*logical_scalar_type);
    return tensor;
  }

  std::unique_ptr<torch::lazy::LoweringContext> CreateLoweringContext(
      const std::string& name, BackendDevice device,
      c10::ArrayRef<torch::lazy::Node*> post_order,
      torch::lazy::Util::EmissionMap emit_status) const override {
    return std::make_unique<MlirLoweringContext>(name, std::move(device), post_order,
                                                 std::move(emit_status));
  }

  std::unique_ptr<torch::lazy::LoweringContext> CreateLoweringContext(
      const std::string& name, BackendDevice device) const override {
    return std::make_unique<MlirLoweringContext>(name, std::move(device));
  }

  std::vector<std::string> GetCompilationDevices(
      const std::string& device, c10::ArrayRef<std::string> devices) const override {
    return std::vector<std::string>(devices.begin(), devices.end());
  }

  std::vector<torch::lazy::ComputationPtr> Compile(
      std::vector<torch::lazy::ComputationPtr> instances) const override {
    for (const torch::lazy::ComputationPtr& instance : instances)
      CompileOne(static_cast<MlirComputation&>(*instance));
    return instances;
  }

  std::vector<BackendDataPtr> ExecuteComputation(
      torch::lazy::ComputationPtr computation, c10::ArrayRef<BackendDataPtr> arguments,
      const BackendDevice& device) const override {
    TORCH_LAZY_TIMED("ExecuteTime");
    // Threads that have run a graph: LTC's I/O workers, plus any thread it
    // had to start because none was idle (each one cold: thread-locals,
    // caches).
    thread_local bool counted = false;
    if (!counted) {
      counted = true;
      TORCH_LAZY_COUNTER("MlirExecutionThreads", 1);
    }
    auto& comp = static_cast<MlirComputation&>(*computation);
    if (!comp.executable)
      return Interpret(comp, arguments, device);

    std::vector<runtime::DeviceBuffer*> inputs;
    for (const BackendDataPtr& arg : arguments) {
      const auto& data = static_cast<const MlirBackendData&>(*arg);
      TORCH_CHECK(data.buffer(), "ltc-mlir: graph argument has no value");
      inputs.push_back(data.buffer().get());
    }
    std::vector<BackendDataPtr> distinct;
    std::vector<runtime::DeviceBuffer*> outputs;
    for (const Shape& shape : comp.result_shapes()) {
      size_t bytes = shape.numel() * c10::elementSize(shape.scalar_type());
      auto buffer = Pool().Allocate(bytes);
      TORCH_CHECK(buffer.ok(), "ltc-mlir: allocation failed: ", buffer.status().ToString());
      outputs.push_back(buffer->get());
      distinct.push_back(std::make_shared<MlirBackendData>(device, shape, std::move(*buffer)));
    }
    absl::Status status = comp.executable->Execute(inputs, outputs);
    TORCH_CHECK(status.ok(), "ltc-mlir: execution failed: ", status.ToString());
    // Device buffers are immutable once written, so results may share one.
    std::vector<BackendDataPtr> results;
    for (size_t index : comp.result_map()) {
      const auto& data = static_cast<const MlirBackendData&>(*distinct.at(index));
      results.push_back(std::make_shared<MlirBackendData>(device, data.shape(), data.buffer()));
    }
    return results;
  }

  std::shared_ptr<torch::lazy::BackendDeviceType> GetDefaultDeviceType() const override {
    return default_device_type_;
  }
  void SetDefaultDeviceType(int8_t /*type*/) override {}
  int64_t GetDefaultDeviceOrdinal() const override {
    return 0;
  }
  void SetDefaultDeviceOrdinal(int64_t ordinal) override {
    TORCH_CHECK(ordinal == 0, "ltc-mlir has one device, lazy:0");
  }
  at::DeviceType EagerFallbackDeviceType() const override {
    return at::kCPU;
  }
  std::vector<BackendDevice> GetBackendDevices() const override {
    auto type = default_device_type_;
    return {BackendDevice(std::move(type), 0)};
  }
  BackendDevice GetBackendDevice(c10::Device device) const override {
    auto type = default_device_type_;
    return BackendDevice(std::move(type), device.has_index() ? device.index() : 0);
  }
  std::string GetComputationBackendText(
      const torch::lazy::ComputationPtr computation) const override {
    return static_cast<const MlirComputation&>(*computation).torch_mlir();
  }
  std::string CreateMetricReport() const override {
    std::stringstream ss;
    ss << "Device " << Device().name() << ": " << Device().MemoryInUse()
       << " bytes in use, peak " << Device().PeakMemoryInUse() << " bytes\n";
    return ss.str();
  }

 private:
  void CompileOne(MlirComputation& comp) const {
    TORCH_LAZY_TIMED("CompileTime");
    std::string graph_hash = GraphHash(comp.torch_mlir());
    std::string name = "graph_" + graph_hash;
    std::string dump_dir = DumpDir();
    WriteDump(dump_dir, name + ".torch.mlir", comp.torch_mlir());
    std::string error = comp.lowering_error();
    std::string key = CacheKey(graph_hash);
    // Where the user's program synced; only asked for when it is recorded
    // (a real compile) or reported (LTC_MLIR_DEBUG).
    const bool debug = RecompileDebugEnabled();
    SyncProvenance where = debug ? CaptureProvenance() : SyncProvenance();
    // With a dump directory the user wants every stage's IR: compile anyway.
    bool disk_hit = false;
    if (error.empty() && dump_dir.empty() && LoadFromCache(comp, key, &disk_hit)) {
      ReportGraph(graph_hash, comp.torch_mlir(), where,
                  disk_hit ? GraphOutcome::kDiskHit : GraphOutcome::kMemoryHit, 0);
      comp.ReleaseNodes();
      return;
    }
    if (!debug)
      where = CaptureProvenance();
    double compile_ms = 0;
    if (error.empty()) {
      TORCH_LAZY_COUNTER("MlirCompile", 1);
      int64_t start_ns = torch::lazy::NowNs();
      std::lock_guard<std::mutex> lock(compile_mutex_);
      StageTimes times;
      mlir::MLIRContext* ctx = GetMlirContext();
      mlir::OwningOpRef<mlir::ModuleOp> module =
          mlir::parseSourceString<mlir::ModuleOp>(comp.torch_mlir(), ctx);
      times.parse_ms = MsSince(start_ns);
      mlir::ltc::TorchCompileOptions options;
      options.keepIR = !dump_dir.empty();
      // A large graph's LLVM IR is compiled in parts on this many threads
      // (default: the host's cores, at most 4; 1 turns splitting off).
      if (const char* threads = std::getenv("LTC_MLIR_COMPILE_THREADS"))
        options.codegenThreads = std::max(0, std::atoi(threads));
      if (!module) {
        error = "could not parse the lowered Torch-dialect module";
      } else {
        mlir::FailureOr<mlir::ltc::TorchCompileResult> result =
            mlir::ltc::compileTorchModuleToObject(*module, options, error);
        if (mlir::succeeded(result)) {
          WriteDump(dump_dir, name + ".linalg.mlir", result->linalgIR);
          WriteDump(dump_dir, name + ".llvm.mlir", result->llvmDialectIR);
          WriteDump(dump_dir, name + ".ll", result->llvmIR);
          times.torch_to_linalg_ms = result->torchToLinalgMs;
          times.lowering_ms = result->loweringMs;
          times.llvm_ms = result->llvmMs;
          times.codegen_ms = result->codegenMs;
          times.total_ms = MsSince(start_ns);
          AddTimeSample("CompileParseTime", times.parse_ms);
          AddTimeSample("CompileTorchToLinalgTime", times.torch_to_linalg_ms);
          AddTimeSample("CompileLoweringTime", times.lowering_ms);
          AddTimeSample("CompileLlvmTime", times.llvm_ms);
          AddTimeSample("CompileCodegenTime", times.codegen_ms);
          if (result->codegenParts > 1)
            TORCH_LAZY_COUNTER("MlirCompileInParts", 1);
          runtime::ObjectCode object{std::move(result->objectCode), result->entrySymbol,
                                     std::move(result->inputBytes),
                                     std::move(result->outputBytes)};
          auto executable = Device().Load(object);
          if (executable.ok()) {
            comp.executable = *executable;
            StoreInCache(comp, key, graph_hash, std::move(object), times, where);
            compile_ms = times.total_ms;
          } else {
            error = "loading the object code failed: " + executable.status().ToString();
          }
        }
      }
    }
    ReportGraph(graph_hash, comp.torch_mlir(), where,
                comp.executable ? GraphOutcome::kCompiled : GraphOutcome::kFailed, compile_ms);
    if (comp.executable) {
      comp.ReleaseNodes();
      return;
    }
    // The graph still runs, through the eager interpreter; say so once.
    comp.compile_error = error;
    comp.eager_program =
        RecordEagerProgram(comp.post_order(), comp.results(), comp.parameter_index());
    comp.ReleaseNodes();
    TORCH_LAZY_COUNTER("EagerGraphFallback", 1);
    std::string dir = dump_dir.empty()
        ? std::string("/tmp/ltc-mlir-") + std::to_string(::getpid())
        : dump_dir;
    comp.dump_path = WriteDump(dir, name + ".torch.mlir", comp.torch_mlir());
    TORCH_WARN("ltc-mlir could not compile a graph; it runs eagerly instead. ", error,
               comp.dump_path.empty() ? std::string() : " Torch-dialect MLIR: " + comp.dump_path);
  }

  // Sets comp.executable from the executable cache; false on a miss. Bad
  // entries are counted, removed and reported as misses.
  bool LoadFromCache(MlirComputation& comp, const std::string& key, bool* disk_hit) const {
    int64_t start_ns = torch::lazy::NowNs();
    runtime::ExecutableCache& cache = Cache();
    runtime::CacheLookup lookup = cache.Lookup(key);
    if (lookup.rejected == runtime::CacheReject::kCorrupt)
      TORCH_LAZY_COUNTER("CacheCorruptEntry", 1);
    else if (lookup.rejected == runtime::CacheReject::kForeign)
      TORCH_LAZY_COUNTER("CacheForeignEntry", 1);
    // Per tier: a memory miss may still be a disk hit.
    if (lookup.tier != runtime::CacheTier::kMemory || !lookup.entry)
      TORCH_LAZY_COUNTER("CacheMemoryMiss", 1);
    if (!lookup.entry && cache.disk_enabled())
      TORCH_LAZY_COUNTER("CacheDiskMiss", 1);
    if (!lookup.entry) {
      TORCH_LAZY_COUNTER("CacheMiss", 1);
      return false;
    }
    // The full text rules out a collision of the 128-bit graph hash.
    if (lookup.entry->source != comp.torch_mlir()) {
      TORCH_LAZY_COUNTER("CacheKeyCollision", 1);
      TORCH_LAZY_COUNTER("CacheMiss", 1);
      return false;
    }
    std::shared_ptr<runtime::Executable> executable = lookup.executable;
    if (!executable) {
      auto loaded = Device().Load(lookup.entry->object);
      if (!loaded.ok()) {
        // Intact bytes that do not link: never trust this entry again.
        cache.Remove(key);
        TORCH_LAZY_COUNTER("CacheCorruptEntry", 1);
        TORCH_LAZY_COUNTER("CacheMiss", 1);
        return false;
      }
      executable = *loaded;
      cache.SetExecutable(key, executable);
    }
    comp.executable = std::move(executable);
    *disk_hit = lookup.tier != runtime::CacheTier::kMemory;
    if (lookup.tier == runtime::CacheTier::kMemory)
      TORCH_LAZY_COUNTER("CacheMemoryHit", 1);
    else
      TORCH_LAZY_COUNTER("CacheDiskHit", 1);
    AddTimeSample("CacheLoadTime", MsSince(start_ns));
    return true;
  }

  void StoreInCache(const MlirComputation& comp, const std::string& key,
                    const std::string& graph_hash, runtime::ObjectCode object,
                    const StageTimes& times, const SyncProvenance& where) const {
    runtime::CacheEntry entry;
    entry.metadata = CacheMetadata(comp, graph_hash, object, times, where);
    entry.object = std::move(object);
    entry.source = comp.torch_mlir();
    entry.created = static_cast<int64_t>(std::time(nullptr));
    runtime::ExecutableCache& cache = Cache();
    absl::Status status = cache.Insert(key, std::move(entry));
    if (!status.ok())
      TORCH_LAZY_COUNTER("CacheWriteError", 1);
    cache.SetExecutable(key, comp.executable);
  }

  std::vector<BackendDataPtr> Interpret(MlirComputation& comp,
                                        c10::ArrayRef<BackendDataPtr> arguments,
                                        const BackendDevice& device) const {
    std::vector<at::Tensor> args;
    for (const BackendDataPtr& arg : arguments)
      args.push_back(ToCpuTensor(static_cast<const MlirBackendData&>(*arg)));
    TORCH_CHECK(comp.eager_program, "ltc-mlir: graph has neither code nor eager program");
    std::vector<at::Tensor> outputs = RunEagerProgram(*comp.eager_program, args);
    std::vector<BackendDataPtr> results;
    for (const at::Tensor& output : outputs)
      results.push_back(FromCpuTensor(output, device));
    return results;
  }

  std::shared_ptr<torch::lazy::BackendDeviceType> default_device_type_;
  mutable size_t rng_seed_ = 0;
  mutable std::mutex compile_mutex_;
};

} // namespace

const torch::lazy::BackendImplInterface* GetBackendImpl() {
  static MlirBackendImpl* impl = new MlirBackendImpl();
  return impl;
}

void InitBackend() {
  static bool initialized = [] {
    static torch::lazy::BackendRegistrar registrar(GetBackendImpl());
    at::RegisterLazyLazyNativeFunctions();
    RegisterEagerFallback();
    RegisterFunctionalUpdateFlush();
    RegisterInPlaceFastPaths(); // after the flush: falls back to its kernels
    RegisterFunctionalDetach();
    // Graphs run on LTC's I/O thread while the caller traces the next step;
    // reading a result, or a graph that consumes one, waits for its device
    // lock. LTC_MLIR_ASYNC=0 runs each graph inside mark_step instead.
    const char* async = std::getenv("LTC_MLIR_ASYNC");
    FLAGS_torch_lazy_use_thread_pool = !(async && std::string(async) == "0");
    // With one I/O thread, a graph scheduled while the previous one's closure
    // is still returning finds no idle worker, and LTC starts a new thread
    // for it (measured: 45-89 threads per 300 overlapped steps). A second
    // worker is idle then. Only before LTC first schedules (the pool is
    // created once), and only if nobody chose a size.
    if (FLAGS_torch_lazy_io_thread_pool_size == 1)
      FLAGS_torch_lazy_io_thread_pool_size = 2;
    // Python scalars 0 and 1 (an add's alpha, say) become constants in the
    // graph instead of device data: no upload or argument for them, and
    // their value is fixed at each use site anyway.
    FLAGS_torch_lazy_handle_special_scalars = true;
    return true;
  }();
  (void)initialized;
}

DeviceMemoryStats GetDeviceMemoryStats() {
  DeviceMemoryStats stats;
  stats.in_use_bytes = Device().MemoryInUse();
  stats.peak_bytes = Device().PeakMemoryInUse();
  runtime::BufferPoolStats pool = Pool().stats();
  stats.pool_cached_bytes = pool.cached_bytes;
  stats.pool_hits = pool.hits;
  stats.pool_misses = pool.misses;
  runtime::GraphAllocatorStats graph = runtime::GetGraphAllocatorStats();
  stats.graph_cached_bytes = graph.cached_bytes;
  stats.graph_in_use_bytes = graph.in_use_bytes;
  stats.graph_hits = graph.hits;
  stats.graph_misses = graph.misses;
  return stats;
}

std::string GetTorchMlir(const std::vector<at::Tensor>& tensors) {
  std::vector<torch::lazy::Value> values;
  for (const at::Tensor& tensor : tensors) {
    torch::lazy::LazyTensorPtr lazy = torch::lazy::TryGetLtcTensor(tensor);
    TORCH_CHECK(lazy, "ltc_mlir.get_mlir: expected tensors on the lazy device");
    values.push_back(lazy->GetIrValue());
  }
  return torch::lazy::DumpUtil::ToBackend(values, GetBackendImpl()->GetBackendDevices().front());
}

} // namespace ltc_mlir
