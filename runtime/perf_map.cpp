// See perf_map.h.
#include "runtime/perf_map.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "llvm/ExecutionEngine/JITLink/JITLink.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"

namespace ltc_mlir {
namespace runtime {
namespace {

// Writes each linked graph's functions, after their final addresses are
// known (post-fixup), one line per function.
class PerfMapPlugin : public llvm::orc::LinkGraphLinkingLayer::Plugin {
public:
  explicit PerfMapPlugin(std::FILE *file) : file_(file) {}

  void modifyPassConfig(llvm::orc::MaterializationResponsibility &,
                        llvm::jitlink::LinkGraph &,
                        llvm::jitlink::PassConfiguration &config) override {
    // Internal functions (the graph's outlined parallel loop bodies) are
    // referenced through their section, not their symbol, so the linker
    // would drop their names as dead; keeping them costs no code.
    config.PrePrunePasses.push_back(
        [](llvm::jitlink::LinkGraph &graph) -> llvm::Error {
          for (llvm::jitlink::Symbol *symbol : graph.defined_symbols())
            if (symbol->isCallable() && symbol->hasName())
              symbol->setLive(true);
          return llvm::Error::success();
        });
    config.PostFixupPasses.push_back(
        [this](llvm::jitlink::LinkGraph &graph) -> llvm::Error {
          std::lock_guard<std::mutex> lock(mutex_);
          for (llvm::jitlink::Symbol *symbol : graph.defined_symbols()) {
            if (!symbol->isCallable() || !symbol->hasName() ||
                symbol->getSize() == 0)
              continue;
            llvm::StringRef name = *symbol->getName();
            // Graphs reuse function names: the object's name (one per
            // executable, and per part of a split one) tells them apart.
            std::fprintf(file_, "%" PRIx64 " %" PRIx64 " %s:%.*s\n",
                         symbol->getAddress().getValue(),
                         static_cast<uint64_t>(symbol->getSize()),
                         graph.getName().c_str(), static_cast<int>(name.size()),
                         name.data());
          }
          std::fflush(file_);
          return llvm::Error::success();
        });
  }
  llvm::Error
  notifyFailed(llvm::orc::MaterializationResponsibility &) override {
    return llvm::Error::success();
  }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib &,
                                      llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib &,
                                   llvm::orc::ResourceKey,
                                   llvm::orc::ResourceKey) override {}

private:
  std::FILE *file_;
  std::mutex mutex_;
};

} // namespace

bool MaybeAddPerfMap(llvm::orc::LLJIT &jit) {
  const char *flag = std::getenv("LTC_MLIR_PERF_MAP");
  if (!flag || !*flag || std::strcmp(flag, "0") == 0)
    return false;
  auto *layer =
      llvm::dyn_cast<llvm::orc::ObjectLinkingLayer>(&jit.getObjLinkingLayer());
  if (!layer)
    return false;
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::FILE *file = std::fopen(path.c_str(), "a");
  if (!file)
    return false;
  // The file stays open for the life of the process, as the JIT does.
  layer->addPlugin(std::make_shared<PerfMapPlugin>(file));
  return true;
}

} // namespace runtime
} // namespace ltc_mlir
