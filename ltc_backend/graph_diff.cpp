#include "ltc_backend/graph_diff.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace ltc_mlir {

namespace {

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos)
    return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

// Splits at commas outside <>, [], (), {}.
std::vector<std::string> SplitTopLevel(const std::string& text) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '<' || c == '[' || c == '(' || c == '{')
      ++depth;
    else if (c == '>' || c == ']' || c == ')' || c == '}')
      --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(Trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!Trim(current).empty())
    parts.push_back(Trim(current));
  return parts;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '#' || c == '.' ||
      c == '$' || c == '-';
}

// The SSA names in `text`, in order ("%arg0", "%3#1", ...).
std::vector<std::string> SsaNames(const std::string& text) {
  std::vector<std::string> names;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%')
      continue;
    size_t end = i + 1;
    while (end < text.size() && IsNameChar(text[end]))
      ++end;
    names.push_back(text.substr(i, end - i));
    i = end - 1;
  }
  return names;
}

// The position of " : " that separates operands from types, outside brackets.
size_t TypeColon(const std::string& text) {
  int depth = 0;
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    char c = text[i];
    if (c == '<' || c == '[' || c == '(' || c == '{')
      ++depth;
    else if (c == '>' || c == ']' || c == ')' || c == '}')
      --depth;
    else if (depth == 0 && c == ' ' && text[i + 1] == ':' && text[i + 2] == ' ')
      return i;
  }
  return std::string::npos;
}

bool IsConstant(const std::string& op) {
  return op.rfind("torch.constant.", 0) == 0 || op == "torch.vtensor.literal";
}

// "torch.constant.int 3" -> "int 3"; a literal -> "literal dense<...>".
std::string ConstantValue(const std::string& op, const std::string& rest) {
  std::string value = Trim(rest);
  if (op == "torch.vtensor.literal") {
    std::string attr = Trim(value.substr(0, TypeColon(value)));
    if (attr.size() >= 2 && attr.front() == '(' && attr.back() == ')')
      attr = attr.substr(1, attr.size() - 2);
    return "literal " + attr;
  }
  return op.substr(std::string("torch.constant.").size()) + (value.empty() ? "" : " " + value);
}

std::string Join(const std::vector<std::string>& items, size_t max_items) {
  std::stringstream ss;
  for (size_t i = 0; i < items.size() && i < max_items; ++i)
    ss << (i ? ", " : "") << items[i];
  if (items.size() > max_items)
    ss << " (+" << items.size() - max_items << " more)";
  return ss.str();
}

} // namespace

std::string ShortType(const std::string& type) {
  std::string t = Trim(type);
  const std::string prefix = "!torch.vtensor<[";
  if (t.rfind(prefix, 0) != 0)
    return t;
  size_t close = t.find("],", prefix.size());
  if (close == std::string::npos || t.back() != '>')
    return t;
  std::string dims = t.substr(prefix.size(), close - prefix.size());
  std::string dtype = t.substr(close + 2, t.size() - close - 3);
  return dtype + "[" + dims + "]";
}

GraphSummary SummarizeGraph(const std::string& torch_mlir) {
  GraphSummary summary;
  std::map<std::string, std::string> constants; // SSA name -> value
  std::map<std::string, size_t> producers; // SSA name -> op index
  std::map<std::string, int> args; // SSA name -> argument index
  std::istringstream lines(torch_mlir);
  std::string raw;
  while (std::getline(lines, raw)) {
    std::string line = Trim(raw);
    if (line.rfind("func.func @", 0) == 0) {
      size_t open = line.find('(');
      size_t arrow = line.rfind(") -> ");
      if (open == std::string::npos)
        continue;
      size_t close = arrow == std::string::npos ? line.rfind(')') : arrow;
      std::string params = line.substr(open + 1, close - open - 1);
      for (const std::string& param : SplitTopLevel(params)) {
        size_t colon = param.find(": ");
        if (colon == std::string::npos)
          continue;
        args[param.substr(0, colon)] = static_cast<int>(summary.inputs.size());
        summary.inputs.push_back(ShortType(param.substr(colon + 2)));
      }
      continue;
    }
    if (line.rfind("return", 0) == 0 || line.rfind("func.return", 0) == 0) {
      size_t colon = TypeColon(line);
      if (colon != std::string::npos) {
        std::string types = line.substr(colon + 3);
        for (const std::string& type : SplitTopLevel(types))
          summary.outputs.push_back(ShortType(type));
      }
      continue;
    }
    size_t eq = line.find(" = ");
    if (line.empty() || line[0] != '%' || eq == std::string::npos)
      continue;
    std::string results = line.substr(0, eq);
    std::string rest = line.substr(eq + 3);
    size_t name_end = rest.find_first_of(" (");
    std::string op = rest.substr(0, name_end);
    std::string operands_text = name_end == std::string::npos ? "" : rest.substr(name_end);
    summary.histogram[op]++;
    std::vector<std::string> result_names = SsaNames(results);
    if (IsConstant(op)) {
      for (std::string name : result_names)
        constants[name] = ConstantValue(op, operands_text);
      continue;
    }
    GraphSummary::Op entry;
    entry.name = op;
    size_t colon = TypeColon(operands_text);
    std::string types = colon == std::string::npos ? "" : operands_text.substr(colon + 3);
    size_t arrow = types.rfind("-> ");
    entry.result_types = arrow == std::string::npos ? "" : Trim(types.substr(arrow + 3));
    for (const std::string& ref : SsaNames(operands_text.substr(0, colon))) {
      size_t hash = ref.find('#');
      std::string base = ref.substr(0, hash);
      std::string suffix = hash == std::string::npos ? "" : ref.substr(hash);
      if (constants.count(ref))
        entry.operands.push_back(constants[ref]);
      else if (args.count(ref)) {
        int index = args[ref];
        auto it = std::find(summary.use_order.begin(), summary.use_order.end(), index);
        if (it == summary.use_order.end())
          it = summary.use_order.insert(it, index);
        entry.operands.push_back("arg " + std::to_string(it - summary.use_order.begin()));
      }
      else if (producers.count(base))
        entry.operands.push_back("op " + std::to_string(producers[base]) + suffix);
      else
        entry.operands.push_back(ref);
    }
    for (const std::string& name : result_names) {
      std::string base = name.substr(0, name.find(':'));
      producers[base] = summary.ops.size();
    }
    summary.ops.push_back(std::move(entry));
  }
  for (int i = 0; i < static_cast<int>(summary.inputs.size()); ++i)
    if (std::find(summary.use_order.begin(), summary.use_order.end(), i) == summary.use_order.end())
      summary.use_order.push_back(i);
  return summary;
}

GraphDiff DiffGraphs(const GraphSummary& from, const GraphSummary& to) {
  GraphDiff diff;
  diff.inputs_before = from.inputs.size();
  diff.inputs_after = to.inputs.size();
  diff.outputs_before = from.outputs.size();
  diff.outputs_after = to.outputs.size();
  auto compare_types = [](const std::vector<std::string>& a, const std::vector<std::string>& b,
                          const char* what, std::vector<std::string>& out) {
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      std::string before = i < a.size() ? a[i] : "(none)";
      std::string after = i < b.size() ? b[i] : "(none)";
      if (before != after)
        out.push_back(std::string(what) + " " + std::to_string(i) + ": " + before + " -> " + after);
    }
  };
  // Inputs are compared in order of first use and named by `to`'s signature.
  size_t inputs = std::max(from.inputs.size(), to.inputs.size());
  for (size_t i = 0; i < inputs; ++i) {
    bool in_from = i < from.use_order.size() && from.use_order[i] < (int)from.inputs.size();
    bool in_to = i < to.use_order.size() && to.use_order[i] < (int)to.inputs.size();
    std::string before = in_from ? from.inputs[from.use_order[i]] : "(none)";
    std::string after = in_to ? to.inputs[to.use_order[i]] : "(none)";
    if (before != after)
      diff.input_changes.push_back("input " + std::to_string(in_to ? to.use_order[i] : (int)i) +
                                   ": " + before + " -> " + after);
  }
  compare_types(from.outputs, to.outputs, "output", diff.output_changes);

  auto is_ref = [](const std::string& operand) {
    return operand.rfind("arg ", 0) == 0 || operand.rfind("op ", 0) == 0 ||
        operand.rfind("%", 0) == 0;
  };
  diff.same_ops = from.ops.size() == to.ops.size();
  for (size_t i = 0; diff.same_ops && i < from.ops.size(); ++i) {
    const auto& a = from.ops[i].operands;
    const auto& b = to.ops[i].operands;
    if (from.ops[i].name != to.ops[i].name || a.size() != b.size())
      diff.same_ops = false;
    for (size_t k = 0; diff.same_ops && k < a.size(); ++k)
      if (a[k] != b[k] && (is_ref(a[k]) || is_ref(b[k])))
        diff.same_ops = false;
  }

  if (diff.same_ops) {
    for (size_t i = 0; i < from.ops.size(); ++i) {
      const auto& a = from.ops[i];
      const auto& b = to.ops[i];
      for (size_t k = 0; k < a.operands.size(); ++k)
        if (a.operands[k] != b.operands[k])
          diff.constant_changes.push_back("op " + std::to_string(i) + " " + a.name + " operand " +
                                          std::to_string(k) + ": " + a.operands[k] + " -> " +
                                          b.operands[k]);
    }
  } else {
    size_t n = std::min(from.ops.size(), to.ops.size());
    size_t i = 0;
    while (i < n && from.ops[i].name == to.ops[i].name &&
           from.ops[i].operands == to.ops[i].operands)
      ++i;
    diff.first_differing_op = static_cast<int>(i);
    std::map<std::string, int> delta;
    for (const auto& op : from.ops)
      delta[op.name]--;
    for (const auto& op : to.ops)
      delta[op.name]++;
    for (const auto& entry : delta)
      if (entry.second)
        diff.op_changes.push_back((entry.second > 0 ? "+" : "") + std::to_string(entry.second) +
                                  " " + entry.first);
    if (diff.op_changes.empty())
      diff.op_changes.push_back("the same ops, connected differently");
  }
  bool same_results = true;
  for (size_t i = 0; diff.same_ops && i < from.ops.size(); ++i)
    same_results = same_results && from.ops[i].result_types == to.ops[i].result_types;
  diff.identical = diff.same_ops && same_results && !diff.shapes_changed() &&
      diff.constant_changes.empty() && from.histogram == to.histogram;
  return diff;
}

std::string GraphDiff::Describe(size_t max_items) const {
  if (identical)
    return "identical ops, shapes and constants";
  std::vector<std::string> parts;
  if (same_ops)
    parts.push_back("same ops");
  else
    parts.push_back("ops changed (first at op " + std::to_string(first_differing_op) +
                    "): " + Join(op_changes, max_items));
  // Across different ops, position-wise shape changes mean little: counts only.
  if (!same_ops) {
    if (inputs_before != inputs_after || outputs_before != outputs_after)
      parts.push_back("inputs " + std::to_string(inputs_before) + " -> " +
                      std::to_string(inputs_after) + ", outputs " +
                      std::to_string(outputs_before) + " -> " + std::to_string(outputs_after));
  } else {
    if (!input_changes.empty())
      parts.push_back("shape changed: " + Join(input_changes, max_items));
    if (!output_changes.empty())
      parts.push_back("output changed: " + Join(output_changes, max_items));
  }
  if (!constant_changes.empty())
    parts.push_back("constant changed: " + Join(constant_changes, max_items));
  if (same_ops && !shapes_changed() && constant_changes.empty())
    parts.push_back("intermediate shapes differ");
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i)
    text += (i ? "; " : "") + parts[i];
  return text;
}

int GraphDistance(const GraphSummary& a, const GraphSummary& b) {
  GraphDiff diff = DiffGraphs(a, b);
  if (diff.identical)
    return 0;
  int distance = static_cast<int>(diff.input_changes.size() + diff.output_changes.size() +
                                  diff.constant_changes.size());
  if (!diff.same_ops) {
    distance += 1000;
    for (const auto& entry : a.histogram) {
      auto it = b.histogram.find(entry.first);
      distance += std::abs(entry.second - (it == b.histogram.end() ? 0 : it->second));
    }
    for (const auto& entry : b.histogram)
      if (!a.histogram.count(entry.first))
        distance += entry.second;
  }
  return distance;
}

} // namespace ltc_mlir
