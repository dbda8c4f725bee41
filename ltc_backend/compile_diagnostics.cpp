#include "ltc_backend/compile_diagnostics.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace ltc_mlir {

namespace {

std::mutex& HookMutex() {
  static std::mutex* mutex = new std::mutex();
  return *mutex;
}

std::function<SyncProvenance()>& Hook() {
  static auto* hook = new std::function<SyncProvenance()>();
  return *hook;
}

std::string OpSequence(const GraphSummary& summary) {
  std::string sequence;
  for (const auto& op : summary.ops)
    sequence += op.name + ";";
  return sequence;
}

// Everything LTC_MLIR_DEBUG remembers about the graphs of this process.
class GraphHistory {
 public:
  void Report(const std::string& hash, const std::string& torch_mlir, const SyncProvenance& where,
              GraphOutcome outcome, double compile_ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    Record record{hash, SummarizeGraph(torch_mlir), where.file + ":" + std::to_string(where.line),
                  outcome};
    std::string prefix = "[ltc-mlir] ";
    std::stringstream ss;
    if (outcome == GraphOutcome::kMemoryHit || outcome == GraphOutcome::kDiskHit) {
      ss << prefix << (outcome == GraphOutcome::kDiskHit ? "disk" : "memory")
         << " cache hit: graph " << hash << " (" << where.Describe() << ")\n";
      records_.push_back(std::move(record));
      Print(ss.str());
      return;
    }
    ++compiles_;
    const GraphSummary& summary = record.summary;
    ss << prefix << "compile " << compiles_ << ": graph " << hash << " (" << summary.ops.size()
       << " ops, " << summary.inputs.size() << " inputs, " << summary.outputs.size()
       << " outputs)";
    if (outcome == GraphOutcome::kFailed)
      ss << " FAILED, runs eagerly\n";
    else
      ss << " in " << static_cast<long long>(compile_ms + 0.5) << " ms\n";
    ss << prefix << "  why:  " << where.Describe() << "\n";
    if (!where.code.empty())
      ss << prefix << "  code: " << where.code << "\n";

    // The nearest earlier graph, preferring those of the same source line.
    const Record* nearest = nullptr;
    int best = 0;
    for (const Record& other : records_) {
      int distance = GraphDistance(other.summary, summary) +
          (other.where == record.where && where.known() ? 0 : 1);
      if (!nearest || distance <= best) { // ties: the latest
        nearest = &other;
        best = distance;
      }
    }
    if (!nearest) {
      ss << prefix << "  diff: the first graph of this process\n";
    } else {
      GraphDiff diff = DiffGraphs(nearest->summary, summary);
      ss << prefix << "  diff: vs graph " << nearest->hash.substr(0, 16)
         << (nearest->where == record.where && where.known() ? " (same line)" : "") << ": "
         << diff.Describe() << "\n";
    }

    // A storm: one line keeps producing graphs with the same ops.
    if (where.known()) {
      Storm& storm = storms_[record.where + "|" + OpSequence(summary)];
      for (const Record& other : records_) {
        if (other.where != record.where || OpSequence(other.summary) != OpSequence(summary))
          continue;
        GraphDiff diff = DiffGraphs(other.summary, summary);
        storm.shapes = storm.shapes || !diff.input_changes.empty();
        storm.constants = storm.constants || !diff.constant_changes.empty();
      }
      ++storm.compiles;
      if (storm.compiles >= kRecompileStormThreshold &&
          (storm.compiles == kRecompileStormThreshold || storm.compiles % 10 == 0)) {
        ss << prefix << "  WARNING recompile storm: " << record.where << " compiled "
           << storm.compiles << " graphs with the same ops that differ only in "
           << (storm.shapes && storm.constants ? "shapes and constants"
                   : storm.shapes                 ? "shapes"
                                                  : "constants")
           << ".";
        if (storm.constants)
          ss << " A Python number is baked into the graph and changes: pass it as a tensor "
                "(torch.tensor(v, device=\"lazy\")) or keep it fixed.";
        if (storm.shapes)
          ss << " Input shapes change: keep shapes static (pad or bucket sizes, drop_last=True).";
        ss << "\n";
      }
    }
    records_.push_back(std::move(record));
    Print(ss.str());
  }

 private:
  struct Record {
    std::string hash;
    GraphSummary summary;
    std::string where; // file:line
    GraphOutcome outcome;
  };
  struct Storm {
    int compiles = 0;
    bool shapes = false;
    bool constants = false;
  };

  static void Print(const std::string& text) {
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
  }

  std::mutex mutex_;
  std::vector<Record> records_;
  std::map<std::string, Storm> storms_;
  int compiles_ = 0;
};

GraphHistory& History() {
  static auto* history = new GraphHistory();
  return *history;
}

} // namespace

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string SyncProvenance::Describe() const {
  std::string text = kind.empty() ? "sync" : kind;
  if (file.empty())
    return text + " (no Python frame)";
  text += " at " + file + ":" + std::to_string(line);
  if (!function.empty())
    text += " in " + function;
  return text;
}

std::string SyncProvenance::ToJson() const {
  std::stringstream ss;
  ss << "{\"kind\": " << JsonString(kind) << ", \"file\": " << JsonString(file)
     << ", \"line\": " << line << ", \"function\": " << JsonString(function)
     << ", \"code\": " << JsonString(code) << "}";
  return ss.str();
}

void SetProvenanceHook(std::function<SyncProvenance()> hook) {
  std::lock_guard<std::mutex> lock(HookMutex());
  Hook() = std::move(hook);
}

SyncProvenance CaptureProvenance() {
  std::function<SyncProvenance()> hook;
  {
    std::lock_guard<std::mutex> lock(HookMutex());
    hook = Hook();
  }
  return hook ? hook() : SyncProvenance();
}

bool RecompileDebugEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("LTC_MLIR_DEBUG");
    return value && *value && std::string(value) != "0";
  }();
  return enabled;
}

void ReportGraph(const std::string& graph_hash, const std::string& torch_mlir,
                 const SyncProvenance& where, GraphOutcome outcome, double compile_ms) {
  if (!RecompileDebugEnabled())
    return;
  History().Report(graph_hash, torch_mlir, where, outcome, compile_ms);
}

} // namespace ltc_mlir
