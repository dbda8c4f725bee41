#!/usr/bin/env python3
"""Generates ltc-mlir's lazy IR nodes and Lazy kernels with torchgen.

Runs torchgen's run_gen_lazy_tensor over ltc_backend/ops.yaml with our node
base class (ltc_mlir::MlirNode) and an IR generator whose Lower() emits
Torch-dialect ops through MlirLoweringContext. The templates come from the
installed torchgen package (torchgen/packaged/ATen).

usage: gen_lazy_backend.py OPS_YAML SHAPE_INFERENCE_HDR OUTPUT_DIR
"""
import os
import re
import sys
from dataclasses import dataclass

import torchgen
from torchgen.api.lazy import LazyIrSchema
from torchgen.api.types import OptionalCType
from torchgen.dest.lazy_ir import GenLazyIR, GenLazyNativeFuncDefinition
from torchgen.gen_lazy_tensor import run_gen_lazy_tensor
from torchgen.model import BaseTy, BaseType, ListType, OptionalType


def torch_op_name(schema: LazyIrSchema) -> str:
    name = schema.func.name
    overload = f".{name.overload_name}" if name.overload_name else ""
    return f"torch.aten.{name.name}{overload}"


def is_scalar_type(t) -> bool:
    """True for `Scalar` and `Scalar?`: lazy values that lower to Torch scalars."""
    if isinstance(t, OptionalType):
        t = t.elem
    return isinstance(t, BaseType) and t.name == BaseTy.Scalar


@dataclass(frozen=True)
class GenMlirLazyIr(GenLazyIR):
    """Nodes whose Lower() emits one `torch.aten.*` op in schema argument order."""

    def lowering_function(self, schema: LazyIrSchema) -> str:
        signature = (
            "  ltc_mlir::MlirValueList Lower(ltc_mlir::MlirLoweringContext* loctx) const override"
        )
        if schema.properties.LowerDeclOnly:
            return f"{signature};"
        if not schema.properties.Lower:
            return ""
        lines = []
        for arg in schema.filtered_args():
            if arg.is_lazy_value:
                get = "loctx->GetOutputOp(operand(i++))"
                if is_scalar_type(arg.orig_type):
                    get = f"loctx->ScalarFromTensor(operand(i++))"
                if isinstance(arg.lazy_type, OptionalCType):
                    get = f"has_{arg.name} ? {get} : loctx->NoneConstant()"
                lines.append(f"operands.push_back({get});")
            else:
                lines.append(f"operands.push_back(loctx->Constant({arg.name}));")
        body = "\n    ".join(lines)
        return f"""{signature} {{
    ltc_mlir::MlirValueList operands;
    size_t i = 0;
    {body}
    return loctx->EmitOp("{torch_op_name(schema)}", operands, *this);
  }}"""

    def create_function(self, schema: LazyIrSchema, node_ctor_args: str) -> str:
        signature = f"static torch::lazy::NodePtr Create({node_ctor_args})"
        if schema.properties.CreateFnDeclOnly:
            return f"{signature};"
        if not schema.properties.CreateFn:
            return ""
        return f"""{signature} {{
    return torch::lazy::ReuseOrMakeNode<{schema.node_name}>(data);
  }}"""

    def can_be_reused_function(self, schema: LazyIrSchema, node_ctor_args: str) -> str:
        signature = f"bool CanBeReused({node_ctor_args}) const"
        if schema.properties.CanBeReusedDeclOnly:
            return f"{signature};"
        if not schema.properties.CanBeReused:
            return ""
        checks = []
        for arg in schema.filtered_args(values=True, scalars=False):
            if isinstance(arg.lazy_type, OptionalCType):
                checks.append(f"nullable_operand(i++) == {arg.name}.value_or(kNullValue)")
            else:
                checks.append(f"operand(i++) == {arg.name}")
        for arg in schema.filtered_args(values=False, scalars=True):
            checks.append(f"this->{arg.name} == {arg.name}")
        cond = " &&\n        ".join(checks) if checks else "true"
        return f"""{signature} {{
    size_t i = 0;
    (void)i;
    return ({cond});
  }}"""


# Ops whose Lazy kernels first try a cheap shape rule (ltc_backend/
# shape_inference.h) and only fall back to torchgen's meta-tensor shape
# inference when it does not apply. The hottest ops of a training step.
_POINTWISE = [
    "add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor", "relu", "threshold_backward",
    "neg", "exp", "log", "tanh", "sigmoid", "sqrt", "rsqrt", "gelu", "gelu_backward",
    "sigmoid_backward", "tanh_backward", "maximum", "minimum", "addcmul", "addcdiv",
    "erf", "sin", "cos", "log1p", "expm1", "reciprocal", "silu",
]
FAST_SHAPE_RULES = {
    "detach_copy": "ltc_mlir::SameShape(self)",
    "alias_copy": "ltc_mlir::SameShape(self)",
    "t_copy": "ltc_mlir::TransposedShape(self)",
    "view_copy": "ltc_mlir::ViewShape(self, size)",
    "mm": "ltc_mlir::MatmulShape(self, mat2)",
    "bmm": "ltc_mlir::MatmulShape(self, mat2)",
    "addmm": "ltc_mlir::AddmmShape(self, mat1, mat2)",
    "sum.dim_IntList": "ltc_mlir::ReductionShape(self, dim, keepdim, dtype)",
    "mean.dim": "ltc_mlir::ReductionShape(self, dim, keepdim, dtype)",
    "_softmax": "ltc_mlir::SoftmaxShape(self, dim, half_to_float)",
    "_log_softmax": "ltc_mlir::SoftmaxShape(self, dim, half_to_float)",
    "_softmax_backward_data":
        "ltc_mlir::SoftmaxBackwardShape(grad_output, output, dim, input_dtype)",
    "_log_softmax_backward_data":
        "ltc_mlir::SoftmaxBackwardShape(grad_output, output, dim, input_dtype)",
}


def fast_shape_rule(schema: LazyIrSchema):
    name = str(schema.func.name)
    if name in FAST_SHAPE_RULES:
        return FAST_SHAPE_RULES[name]
    if name in _POINTWISE:
        tensors = [a.name for a in schema.filtered_args(values=True, scalars=False)
                   if not is_scalar_type(a.orig_type)]
        return "ltc_mlir::FloatPointwiseShape({" + ", ".join("&" + t for t in tensors) + "})"
    return None


_meta_shape_inference = GenLazyNativeFuncDefinition.shape_inference


def shape_inference_with_fast_rules(self, func, schema: LazyIrSchema) -> str:
    code = _meta_shape_inference(self, func, schema)
    rule = fast_shape_rule(schema)
    if rule is None:
        return code
    # The meta (or compute_shape_*) path assigns to `shapes` instead of
    # declaring it, and runs only when the rule gives nothing.
    meta, rest = code.split("TORCH_INTERNAL_ASSERT(shapes.size()", 1)
    if "std::vector<torch::lazy::Shape> shapes{" in meta:
        meta = meta.replace("std::vector<torch::lazy::Shape> shapes{",
                            "shapes = std::vector<torch::lazy::Shape>{", 1)
    elif "auto shapes = " in meta:
        meta = meta.replace("auto shapes = ", "shapes = ", 1)
    else:
        raise RuntimeError(f"unexpected shape inference code for {schema.func.name}")
    return (f"std::vector<torch::lazy::Shape> shapes = {rule};\n"
            f"        if (shapes.empty()) {{\n{meta}\n        }}\n"
            f"        TORCH_INTERNAL_ASSERT(shapes.size(){rest}")


GenLazyNativeFuncDefinition.shape_inference = shape_inference_with_fast_rules


def main() -> None:
    ops_yaml, shape_hdr, output_dir = sys.argv[1:4]
    aten_path = os.path.join(os.path.dirname(torchgen.__file__), "packaged", "ATen")
    run_gen_lazy_tensor(
        aten_path=aten_path,
        source_yaml=ops_yaml,
        output_dir=output_dir,
        dry_run=False,
        impl_path=None,
        node_base="ltc_mlir::MlirNode",
        # Lower() bodies call the lowering context, so nodes see its full class.
        node_base_hdr="ltc_backend/mlir_lowering_context.h",
        tensor_class="torch::lazy::LazyTensor",
        tensor_class_hdr="ltc_backend/lazy_tensor.h",
        shape_inference_hdr=shape_hdr,
        lazy_ir_generator=GenMlirLazyIr,
        backend_name="Lazy",
        backend_namespace="ltc_mlir",
        # Operand fetchers that raise on a CPU tensor instead of aborting
        # (ltc_backend/lazy_tensor.h).
        get_tensor_or_wrap_number="GetLazyOperand",
        try_get_tensor="TryGetLazyOperand",
        get_tensorlist="GetLazyOperandList",
    )
    # torchgen writes `#include <path>`; our headers are found through quotes.
    for name in os.listdir(output_dir):
        path = os.path.join(output_dir, name)
        with open(path) as f:
            text = f.read()
        text = re.sub(r"#include <(?:[^>]*/)?(ltc_backend/[^>]*)>", r'#include "\1"', text)
        text = text.replace('#include "' + output_dir + "/", '#include "ltc_backend/generated/')
        # Operands whose IR value is all a kernel reads need no LazyTensor
        # for a CPU scalar (ltc_backend/lazy_tensor.h, LazyOperand).
        text = re.sub(r"LazyTensorPtr (lazy_\w+) = ltc_mlir::GetLazyOperand\(",
                      r"ltc_mlir::LazyOperand \1 = ltc_mlir::GetLazyOperandValue(", text)
        # Scalar arguments (alpha, beta, ...) go through our shared scalar
        # inputs (ltc_backend/lazy_tensor.h).
        text = re.sub(r"torch::lazy::LazyGraphExecutor::Get\(\)->\s*GetIrValueForScalarFromCodegen\(",
                      "ltc_mlir::ScalarOperand(", text)
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
