// Why a graph was compiled: the provenance of the sync that triggered it
// (recorded in every cache entry's metadata), and, with LTC_MLIR_DEBUG=1, one
// stderr block per compile explaining how the graph differs from the nearest
// graph seen before, with a warning when one source line keeps recompiling.
#pragma once

#include "ltc_backend/graph_diff.h"

#include <functional>
#include <string>

namespace ltc_mlir {

// `text` as a JSON string literal, quotes included (cache metadata).
std::string JsonString(const std::string& text);

// The user's Python frame whose sync first needed a graph.
struct SyncProvenance {
  // "mark_step", ".item()", ".cpu()", ".to()", ".tolist()", ".numpy()",
  // "print", "get_mlir", "tensor read" (any other read), or "" if unknown.
  std::string kind;
  std::string file;
  int line = 0;
  std::string function;
  std::string code; // the source text of the call, when known

  bool known() const {
    return !file.empty() || !kind.empty();
  }
  // "mark_step at train.py:42 in step", or "unknown (no Python frame)".
  std::string Describe() const;
  // {"kind": ..., "file": ..., "line": ..., "function": ..., "code": ...}
  std::string ToJson() const;
};

// Installed by the Python extension: returns the provenance of the current
// sync. Must never throw. Without a hook provenance is unknown.
void SetProvenanceHook(std::function<SyncProvenance()> hook);
SyncProvenance CaptureProvenance();

// LTC_MLIR_DEBUG set to anything but "" or "0" (read once).
bool RecompileDebugEnabled();

// How a graph that reached the backend's compile was satisfied.
enum class GraphOutcome { kCompiled, kMemoryHit, kDiskHit, kFailed };

// With LTC_MLIR_DEBUG: records the graph and prints its block to stderr.
// Without it does nothing.
void ReportGraph(const std::string& graph_hash, const std::string& torch_mlir,
                 const SyncProvenance& where, GraphOutcome outcome, double compile_ms);

// Compiles of one source line with the same ops after which a recompile storm
// is reported.
constexpr int kRecompileStormThreshold = 3;

} // namespace ltc_mlir
