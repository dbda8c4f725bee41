// The CPU device. See cpu_device.h.
#include "runtime/cpu_device.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "runtime/cpu_kernels.h"
#include "runtime/graph_inputs.h"
#include "runtime/perf_map.h"
#include "runtime/special_functions.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"

namespace ltc_mlir {
namespace runtime {
namespace {

std::string ToString(llvm::Error error) {
  return llvm::toString(std::move(error));
}

// Errors ORC reports out of band while linking (e.g. undefined symbols), for
// the Load running on this thread.
thread_local std::string jit_session_errors;

// Live and peak bytes of one device. Shared with its buffers, which may
// outlive the device.
struct MemoryCounters {
  std::atomic<size_t> in_use{0};
  std::atomic<size_t> peak{0};

  void Add(size_t bytes) {
    size_t now = in_use.fetch_add(bytes) + bytes;
    size_t old_peak = peak.load();
    while (now > old_peak && !peak.compare_exchange_weak(old_peak, now)) {
    }
  }
  void Sub(size_t bytes) { in_use.fetch_sub(bytes); }
};

class CpuBuffer : public DeviceBuffer {
public:
  CpuBuffer(void *data, size_t bytes, std::shared_ptr<MemoryCounters> counters)
      : data_(data), bytes_(bytes), counters_(std::move(counters)) {
    counters_->Add(bytes_);
  }
  ~CpuBuffer() override {
    std::free(data_);
    counters_->Sub(bytes_);
  }
  void *data() override { return data_; }
  const void *data() const override { return data_; }
  size_t size_bytes() const override { return bytes_; }

private:
  void *data_;
  size_t bytes_;
  std::shared_ptr<MemoryCounters> counters_;
};

// The process-wide LLJIT. Created on first use and never destroyed, so that
// executables released during static destruction still find it.
class Jit {
public:
  using EntryFn = void (*)(void **);

  static absl::StatusOr<Jit *> Get() {
    static absl::StatusOr<Jit *> *jit = [] {
      llvm::InitializeNativeTarget();
      llvm::InitializeNativeTargetAsmPrinter();
      auto lljit = llvm::orc::LLJITBuilder().create();
      if (!lljit) {
        return new absl::StatusOr<Jit *>(absl::InternalError(absl::StrCat(
            "cannot create the ORC JIT: ", ToString(lljit.takeError()))));
      }
      (*lljit)->getExecutionSession().setErrorReporter([](llvm::Error error) {
        if (!jit_session_errors.empty())
          jit_session_errors += "; ";
        jit_session_errors += ToString(std::move(error));
      });
      MaybeAddPerfMap(**lljit);
      return new absl::StatusOr<Jit *>(new Jit(std::move(*lljit)));
    }();
    return *jit;
  }

  // Links `object` into a new JITDylib and resolves its entry symbol.
  absl::StatusOr<std::pair<llvm::orc::JITDylib *, EntryFn>>
  Load(const ObjectCode &object) {
    if (object.entry_symbol.empty())
      return absl::InvalidArgumentError("object code has no entry symbol");
    std::string name = absl::StrCat("ltc_mlir_executable_", next_id_++);
    // One object, or an ar archive of several (a graph compiled in parts,
    // see mlir_lowering/Pipeline/CpuPipeline.h) linked together here.
    std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
    llvm::MemoryBufferRef whole(object.bytes, name);
    if (llvm::identify_magic(object.bytes) == llvm::file_magic::archive) {
      auto archive = llvm::object::Archive::create(whole);
      if (!archive) {
        return absl::InvalidArgumentError(absl::StrCat(
            "not a loadable archive: ", ToString(archive.takeError())));
      }
      llvm::Error error = llvm::Error::success();
      for (const llvm::object::Archive::Child &child :
           (*archive)->children(error)) {
        auto member = child.getMemoryBufferRef();
        if (!member) {
          llvm::consumeError(std::move(error));
          return absl::InvalidArgumentError(absl::StrCat(
              "bad archive member: ", ToString(member.takeError())));
        }
        buffers.push_back(llvm::MemoryBuffer::getMemBufferCopy(
            member->getBuffer(), absl::StrCat(name, "_", buffers.size())));
      }
      if (error) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad archive: ", ToString(std::move(error))));
      }
    } else {
      buffers.push_back(
          llvm::MemoryBuffer::getMemBufferCopy(object.bytes, name));
    }
    // Reject what is not an object before ORC sees it.
    for (const auto &buffer : buffers) {
      auto parsed =
          llvm::object::ObjectFile::createObjectFile(buffer->getMemBufferRef());
      if (!parsed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "not a loadable object file: ", ToString(parsed.takeError())));
      }
    }

    auto dylib = lljit_->createJITDylib(name);
    if (!dylib) {
      return absl::InternalError(absl::StrCat("cannot create a JITDylib: ",
                                              ToString(dylib.takeError())));
    }
    llvm::orc::JITDylib *jd = &*dylib;
    auto process_symbols =
        llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
            lljit_->getDataLayout().getGlobalPrefix());
    if (!process_symbols) {
      Unload(jd);
      return absl::InternalError(
          absl::StrCat("cannot resolve process symbols: ",
                       ToString(process_symbols.takeError())));
    }
    jd->addGenerator(std::move(*process_symbols));
    // The kernels compiled code calls (cpu_kernels.h), by address: this
    // library may be loaded without exporting its symbols to the process.
    llvm::orc::SymbolMap kernels;
    int kernel_count = 0;
    const CpuKernelSymbol *kernel_symbols = GetCpuKernelSymbols(&kernel_count);
    for (int i = 0; i < kernel_count; ++i) {
      kernels[lljit_->mangleAndIntern(kernel_symbols[i].name)] =
          llvm::orc::ExecutorSymbolDef(
              llvm::orc::ExecutorAddr::fromPtr(kernel_symbols[i].address),
              llvm::JITSymbolFlags::Exported);
    }
    // The scalar special functions (special_functions.h), the same way.
    const CpuKernelSymbol *special_symbols =
        GetSpecialFunctionSymbols(&kernel_count);
    for (int i = 0; i < kernel_count; ++i) {
      kernels[lljit_->mangleAndIntern(special_symbols[i].name)] =
          llvm::orc::ExecutorSymbolDef(
              llvm::orc::ExecutorAddr::fromPtr(special_symbols[i].address),
              llvm::JITSymbolFlags::Exported);
    }
    if (llvm::Error error =
            jd->define(llvm::orc::absoluteSymbols(std::move(kernels)))) {
      Unload(jd);
      return absl::InternalError(absl::StrCat("cannot define the kernels: ",
                                              ToString(std::move(error))));
    }
    for (auto &buffer : buffers) {
      if (llvm::Error error = lljit_->addObjectFile(*jd, std::move(buffer))) {
        Unload(jd);
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot add the object: ", ToString(std::move(error))));
      }
    }
    // Linking happens here; undefined symbols are reported now.
    jit_session_errors.clear();
    auto entry = lljit_->lookup(*jd, object.entry_symbol);
    if (!entry) {
      std::string message = ToString(entry.takeError());
      if (!jit_session_errors.empty())
        absl::StrAppend(&message, " (", jit_session_errors, ")");
      jit_session_errors.clear();
      Unload(jd);
      return absl::InvalidArgumentError(
          absl::StrCat("cannot link the object or find '", object.entry_symbol,
                       "': ", message));
    }
    return std::make_pair(jd, entry->toPtr<EntryFn>());
  }

  // Removes `jd` and frees its code and data.
  void Unload(llvm::orc::JITDylib *jd) {
    if (llvm::Error error = lljit_->getExecutionSession().removeJITDylib(*jd))
      llvm::consumeError(std::move(error));
  }

private:
  explicit Jit(std::unique_ptr<llvm::orc::LLJIT> lljit)
      : lljit_(std::move(lljit)) {}

  std::unique_ptr<llvm::orc::LLJIT> lljit_;
  std::atomic<uint64_t> next_id_{0};
};

class CpuExecutable : public Executable {
public:
  CpuExecutable(Jit *jit, llvm::orc::JITDylib *jd, Jit::EntryFn entry,
                const ObjectCode &object)
      : jit_(jit), jd_(jd), entry_(entry), input_bytes_(object.input_bytes),
        output_bytes_(object.output_bytes) {}
  ~CpuExecutable() override { jit_->Unload(jd_); }

  absl::Status Execute(absl::Span<DeviceBuffer *const> inputs,
                       absl::Span<DeviceBuffer *const> outputs) override {
    if (!input_bytes_.empty() || !output_bytes_.empty()) {
      if (inputs.size() != input_bytes_.size() ||
          outputs.size() != output_bytes_.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("executable takes ", input_bytes_.size(),
                         " inputs and ", output_bytes_.size(), " outputs; got ",
                         inputs.size(), " and ", outputs.size()));
      }
    }
    absl::InlinedVector<void *, 16> pointers;
    pointers.reserve(inputs.size() + outputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      absl::Status status =
          Bind(inputs[i], i < input_bytes_.size() ? input_bytes_[i] : 0,
               "input", i, pointers);
      if (!status.ok())
        return status;
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      absl::Status status =
          Bind(outputs[i], i < output_bytes_.size() ? output_bytes_[i] : 0,
               "output", i, pointers);
      if (!status.ok())
        return status;
      // The code assumes outputs alias nothing else.
      for (size_t j = 0; j + 1 < pointers.size(); ++j) {
        if (pointers[j] == pointers.back()) {
          return absl::InvalidArgumentError(
              absl::StrCat("output ", i,
                           " is bound to the same buffer as another "
                           "argument"));
        }
      }
    }
    // Kernels may cache what they derive from the inputs (graph_inputs.h).
    absl::InlinedVector<GraphInput, 16> shown;
    shown.reserve(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i)
      shown.push_back(
          {pointers[i], inputs[i]->size_bytes(), inputs[i]->contents_id()});
    {
      ScopedGraphInputs scope(shown);
      entry_(pointers.data());
    }
    for (DeviceBuffer *output : outputs)
      output->RenewContentsId();
    return absl::OkStatus();
  }

private:
  static absl::Status Bind(DeviceBuffer *buffer, uint64_t expected_bytes,
                           const char *kind, size_t index,
                           absl::InlinedVector<void *, 16> &pointers) {
    if (buffer == nullptr || buffer->data() == nullptr)
      return absl::InvalidArgumentError(
          absl::StrCat(kind, " ", index, " is null"));
    if (buffer->size_bytes() < expected_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(kind, " ", index, " has ", buffer->size_bytes(),
                       " bytes; the executable needs ", expected_bytes));
    }
    if (reinterpret_cast<uintptr_t>(buffer->data()) % kCpuBufferAlignment) {
      return absl::InvalidArgumentError(absl::StrCat(
          kind, " ", index, " is not ", kCpuBufferAlignment, "-byte aligned"));
    }
    pointers.push_back(buffer->data());
    return absl::OkStatus();
  }

  Jit *jit_;
  llvm::orc::JITDylib *jd_;
  Jit::EntryFn entry_;
  std::vector<uint64_t> input_bytes_;
  std::vector<uint64_t> output_bytes_;
};

class CpuDevice : public Device {
public:
  std::string name() const override { return "cpu"; }

  absl::StatusOr<std::shared_ptr<DeviceBuffer>>
  Allocate(size_t bytes) override {
    // Round up to the alignment (aligned_alloc requires it); a zero-byte
    // buffer still gets its own non-null pointer.
    size_t padded = bytes == 0 ? kCpuBufferAlignment
                               : (bytes + kCpuBufferAlignment - 1) /
                                     kCpuBufferAlignment * kCpuBufferAlignment;
    if (padded < bytes)
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot allocate ", bytes, " bytes"));
    void *data = std::aligned_alloc(kCpuBufferAlignment, padded);
    if (data == nullptr)
      return absl::ResourceExhaustedError(
          absl::StrCat("out of host memory allocating ", bytes, " bytes"));
    return std::shared_ptr<DeviceBuffer>(
        std::make_shared<CpuBuffer>(data, bytes, counters_));
  }

  absl::Status CopyToDevice(const void *host, size_t bytes,
                            DeviceBuffer &dst) override {
    if (bytes > dst.size_bytes())
      return absl::InvalidArgumentError(absl::StrCat(
          "copying ", bytes, " bytes into a buffer of ", dst.size_bytes()));
    if (bytes == 0)
      return absl::OkStatus();
    if (host == nullptr)
      return absl::InvalidArgumentError("copy from a null host pointer");
    std::memcpy(dst.data(), host, bytes);
    dst.RenewContentsId();
    return absl::OkStatus();
  }

  absl::Status CopyFromDevice(const DeviceBuffer &src, void *host,
                              size_t bytes) override {
    if (bytes > src.size_bytes())
      return absl::InvalidArgumentError(absl::StrCat(
          "copying ", bytes, " bytes out of a buffer of ", src.size_bytes()));
    if (bytes == 0)
      return absl::OkStatus();
    if (host == nullptr)
      return absl::InvalidArgumentError("copy to a null host pointer");
    std::memcpy(host, src.data(), bytes);
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<Executable>>
  Load(const ObjectCode &object) override {
    absl::StatusOr<Jit *> jit = Jit::Get();
    if (!jit.ok())
      return jit.status();
    auto loaded = (*jit)->Load(object);
    if (!loaded.ok())
      return loaded.status();
    return std::shared_ptr<Executable>(std::make_shared<CpuExecutable>(
        *jit, loaded->first, loaded->second, object));
  }

  absl::Status Synchronize() override { return absl::OkStatus(); }

  size_t MemoryInUse() const override { return counters_->in_use.load(); }
  size_t PeakMemoryInUse() const override { return counters_->peak.load(); }

private:
  std::shared_ptr<MemoryCounters> counters_ =
      std::make_shared<MemoryCounters>();
};

} // namespace

Device &GetCpuDevice() {
  static Device *device = new CpuDevice();
  return *device;
}

std::unique_ptr<Device> CreateCpuDevice() {
  return std::make_unique<CpuDevice>();
}

} // namespace runtime
} // namespace ltc_mlir
