#include "ltc_backend/backend_impl.h"

#include "ltc_backend/backend_data.h"
#include "ltc_backend/eager_fallback.h"
#include "ltc_backend/eager_interpreter.h"
#include "ltc_backend/ir_nodes.h"
#include "ltc_backend/mlir_computation.h"
#include "ltc_backend/mlir_context.h"
#include "ltc_backend/mlir_lowering_context.h"
#include "mlir_lowering/Compiler/TorchCompiler.h"
#include "runtime/cpu_device.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <ATen/Functions.h>
#include <c10/util/Exception.h>
#include <torch/csrc/lazy/backend/backend_device.h>
#include <torch/csrc/lazy/core/config.h>
#include <torch/csrc/lazy/core/ir_dump_util.h>
#include <torch/csrc/lazy/core/metrics.h>
#include <torch/csrc/lazy/core/tensor.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
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

std::string GraphName(const MlirComputation& computation) {
  std::stringstream ss;
  ss << "graph_" << std::hex << std::hash<std::string>()(computation.torch_mlir());
  return ss.str();
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
  auto buffer = Device().Allocate(bytes);
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

  BackendDataPtr MakeComputationDataFromScalar(const at::Scalar& scalar,
                                               const BackendDevice& device) const override {
    return FromCpuTensor(at::scalar_tensor(scalar, at::TensorOptions(scalar.type())), device);
  }

  BackendDataPtr CreateDataPlaceholder(const BackendDevice& device,
                                       const Shape& shape) const override {
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
      auto buffer = Device().Allocate(bytes);
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
    std::string name = GraphName(comp);
    std::string dump_dir = DumpDir();
    WriteDump(dump_dir, name + ".torch.mlir", comp.torch_mlir());
    std::string error = comp.lowering_error();
    if (error.empty()) {
      std::lock_guard<std::mutex> lock(compile_mutex_);
      mlir::MLIRContext* ctx = GetMlirContext();
      mlir::OwningOpRef<mlir::ModuleOp> module =
          mlir::parseSourceString<mlir::ModuleOp>(comp.torch_mlir(), ctx);
      mlir::ltc::TorchCompileOptions options;
      options.keepIR = !dump_dir.empty();
      if (!module) {
        error = "could not parse the lowered Torch-dialect module";
      } else {
        mlir::FailureOr<mlir::ltc::TorchCompileResult> result =
            mlir::ltc::compileTorchModuleToObject(*module, options, error);
        if (mlir::succeeded(result)) {
          WriteDump(dump_dir, name + ".linalg.mlir", result->linalgIR);
          WriteDump(dump_dir, name + ".llvm.mlir", result->llvmDialectIR);
          auto executable =
              Device().Load(runtime::ObjectCode{
              std::move(result->objectCode), result->entrySymbol,
              std::move(result->inputBytes), std::move(result->outputBytes)});
          if (executable.ok())
            comp.executable = *executable;
          else
            error = "loading the object code failed: " + executable.status().ToString();
        }
      }
    }
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
    return true;
  }();
  (void)initialized;
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
