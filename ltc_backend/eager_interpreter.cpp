#include "ltc_backend/eager_interpreter.h"

#include "ltc_backend/ir_nodes.h"
#include "ltc_backend/mlir_lowering_context.h"

#include <ATen/Functions.h>
#include <c10/util/Exception.h>

#include <cstring>

namespace ltc_mlir {

namespace {

using Kind = EagerInstruction::Kind;

// A lowering context whose values are slots of an EagerProgram.
class EagerRecorder : public MlirLoweringContext {
 public:
  EagerRecorder(const std::unordered_map<const void*, size_t>& parameter_index)
      : MlirLoweringContext("eager", torch::lazy::BackendDevice(), NoMlirTag{}),
        parameter_index_(parameter_index),
        program_(std::make_shared<EagerProgram>()) {}

  std::shared_ptr<EagerProgram> Record(const std::vector<const torch::lazy::Node*>& post_order,
                                       const std::vector<torch::lazy::Output>& results) {
    for (const torch::lazy::Node* node : post_order)
      LowerNode(node);
    for (const torch::lazy::Output& output : results)
      program_->results.push_back(SlotOf(GetOutputOp(output)));
    return program_;
  }

  MlirValue GetParameter(const torch::lazy::BackendDataPtr& data) override {
    auto it = parameter_index_.find(data.get());
    TORCH_CHECK(it != parameter_index_.end(), "ltc-mlir: device data not bound to an argument");
    EagerInstruction instr{Kind::kArgument};
    instr.argument = it->second;
    return Add(std::move(instr));
  }
  MlirValue ScalarFromTensor(const torch::lazy::Output& output) override {
    if (const auto* scalar = dynamic_cast<const ScalarNode*>(output.node))
      return Const(scalar->value());
    EagerInstruction instr{Kind::kItem};
    instr.operands = {SlotOf(GetOutputOp(output))};
    return Add(std::move(instr));
  }
  MlirValue TensorLiteral(const at::Scalar& value, const torch::lazy::Shape& shape) override {
    return Const(at::full(shape.sizes(), value, at::TensorOptions(shape.scalar_type())));
  }
  MlirValue TensorList(const MlirValueList& tensors) override {
    EagerInstruction instr{Kind::kList};
    for (MlirValue v : tensors)
      instr.operands.push_back(SlotOf(v));
    return Add(std::move(instr));
  }
  MlirValue NoneConstant() override { return Const(c10::IValue()); }
  MlirValue IntConstant(int64_t v) override { return Const(v); }
  MlirValue FloatConstant(double v) override { return Const(v); }
  MlirValue BoolConstant(bool v) override { return Const(v); }
  MlirValue StringConstant(const std::string& v) override { return Const(v); }
  MlirValue IntListConstant(c10::ArrayRef<int64_t> v) override { return Const(v.vec()); }
  MlirValue FloatListConstant(c10::ArrayRef<double> v) override { return Const(v.vec()); }
  MlirValue BoolListConstant(const std::vector<bool>& v) override {
    c10::List<bool> list;
    for (bool b : v)
      list.push_back(b);
    return Const(list);
  }

  MlirValueList EmitOp(const char* op_name, const MlirValueList& operands,
                       const torch::lazy::Node& node) override {
    // "torch.aten.add.Tensor" -> ("aten::add", "Tensor")
    std::string name(op_name);
    const char* prefix = "torch.aten.";
    TORCH_CHECK(name.rfind(prefix, 0) == 0, "ltc-mlir: cannot run ", name, " eagerly");
    name = name.substr(strlen(prefix));
    std::string overload;
    size_t dot = name.find('.');
    if (dot != std::string::npos) {
      overload = name.substr(dot + 1);
      name = name.substr(0, dot);
    }
    EagerInstruction instr{Kind::kOp};
    instr.op = c10::Dispatcher::singleton().findSchemaOrThrow(
        ("aten::" + name).c_str(), overload.c_str());
    for (MlirValue v : operands)
      instr.operands.push_back(SlotOf(v));
    instr.num_outputs = node.num_outputs();
    size_t first = next_slot_;
    program_->instructions.push_back(std::move(instr));
    next_slot_ += node.num_outputs();
    MlirValueList results;
    for (size_t i = 0; i < node.num_outputs(); ++i)
      results.push_back(reinterpret_cast<MlirValue>(first + i + 1));
    return results;
  }

 private:
  MlirValue Const(c10::IValue value) {
    EagerInstruction instr{Kind::kConstant};
    instr.constant = std::move(value);
    return Add(std::move(instr));
  }
  MlirValue Add(EagerInstruction instr) {
    program_->instructions.push_back(std::move(instr));
    return reinterpret_cast<MlirValue>(++next_slot_);
  }
  static size_t SlotOf(MlirValue v) {
    return reinterpret_cast<uintptr_t>(v) - 1;
  }

  const std::unordered_map<const void*, size_t>& parameter_index_;
  std::shared_ptr<EagerProgram> program_;
  size_t next_slot_ = 0;
};

} // namespace

std::shared_ptr<EagerProgram> RecordEagerProgram(
    const std::vector<const torch::lazy::Node*>& post_order,
    const std::vector<torch::lazy::Output>& results,
    const std::unordered_map<const void*, size_t>& parameter_index) {
  return EagerRecorder(parameter_index).Record(post_order, results);
}

std::vector<at::Tensor> RunEagerProgram(const EagerProgram& program,
                                        const std::vector<at::Tensor>& arguments) {
  std::vector<c10::IValue> slots;
  for (const EagerInstruction& instr : program.instructions) {
    switch (instr.kind) {
      case Kind::kArgument:
        slots.push_back(arguments.at(instr.argument));
        break;
      case Kind::kConstant:
        slots.push_back(instr.constant);
        break;
      case Kind::kItem:
        slots.push_back(slots.at(instr.operands[0]).toTensor().item());
        break;
      case Kind::kList: {
        c10::List<at::Tensor> list;
        for (size_t s : instr.operands)
          list.push_back(slots.at(s).toTensor());
        slots.push_back(list);
        break;
      }
      case Kind::kOp: {
        torch::jit::Stack stack;
        for (size_t s : instr.operands)
          stack.push_back(slots.at(s));
        instr.op->callBoxed(&stack);
        TORCH_CHECK(stack.size() == instr.num_outputs, "ltc-mlir: ",
                    instr.op->schema().name(), " returned ", stack.size(), " values");
        for (c10::IValue& v : stack)
          slots.push_back(std::move(v));
        break;
      }
    }
  }
  std::vector<at::Tensor> results;
  for (size_t s : program.results)
    results.push_back(slots.at(s).toTensor());
  return results;
}

} // namespace ltc_mlir
