#!/usr/bin/env python3
"""Generates ODS definitions of Torch-dialect ATen ops from ATen schemas.

Reads the op list (one `name[.overload]` per line, `#` comments) and PyTorch's
native_functions.yaml through torchgen's model, and writes one ODS def per op
to GeneratedTorchOps.td. Every schema argument becomes an operand (an absent
optional is a `!torch.none` value), every returned value a result.

Fails with a nonzero exit and a message naming the culprit for an op that is
not in native_functions.yaml, or whose schema uses a type we cannot express.

Run with /usr/bin/python3 (the interpreter that has torchgen):
    gen_torch_ods.py --ops ops.txt -o GeneratedTorchOps.td
"""

import argparse
import os
import sys

NATIVE_DIR = "/usr/lib/python3/dist-packages/torchgen/packaged/ATen/native"

# Schema base types -> ODS type constraints (defined in TorchTypes.td).
BASE_CONSTRAINTS = {
    "Tensor": "AnyTorchTensorType",
    "int": "Torch_IntType",
    "SymInt": "Torch_IntType",
    "float": "Torch_FloatType",
    "bool": "Torch_BoolType",
    "Scalar": "AnyTorchScalarType",
    "str": "Torch_StringType",
    # Enums travel as their integer value, as in TorchScript.
    "ScalarType": "Torch_IntType",
    "Layout": "Torch_IntType",
    "MemoryFormat": "Torch_IntType",
    "Device": "Torch_DeviceType",
    "Generator": "Torch_GeneratorType",
}

LIST_CONSTRAINTS = {
    "AnyTorchTensorType": "AnyTorchListOfTensorType",
    "AnyTorchOptionalTensorType": "AnyTorchListOfOptionalTensorType",
    "Torch_IntType": "AnyTorchListOfTorchIntType",
    "Torch_FloatType": "AnyTorchListOfTorchFloatType",
    "Torch_BoolType": "AnyTorchListOfTorchBoolType",
    "Torch_StringType": "AnyTorchListOfTorchStringType",
    "AnyTorchScalarType": "AnyTorchListOfScalarType",
}

OPTIONAL_CONSTRAINTS = {
    "AnyTorchTensorType": "AnyTorchOptionalTensorType",
    "Torch_IntType": "AnyTorchOptionalIntType",
    "Torch_FloatType": "AnyTorchOptionalFloatType",
    "Torch_BoolType": "AnyTorchOptionalBoolType",
    "AnyTorchScalarType": "AnyTorchOptionalScalarType",
    "Torch_StringType": "AnyTorchOptionalStringType",
    "Torch_DeviceType": "AnyTorchOptionalDeviceType",
    "Torch_GeneratorType": "AnyTorchOptionalGeneratorType",
    "AnyTorchListOfTensorType": "AnyTorchOptionalListOfTensorType",
    "AnyTorchListOfTorchIntType": "AnyTorchOptionalListOfTorchIntType",
    "AnyTorchListOfTorchFloatType": "AnyTorchOptionalListOfTorchFloatType",
    "AnyTorchListOfTorchBoolType": "AnyTorchOptionalListOfTorchBoolType",
}

# Accessor names (after `get`) that the generated op class already has, from
# mlir::OpState, mlir::Op traits or ODS itself. An argument whose getter would
# be one of these gets a trailing `_`.
RESERVED_GETTERS = {
    "Attr", "AttrDictionary", "Attributes", "Body", "Context", "Dialect",
    "DiscardableAttrDictionary", "DiscardableAttrs", "InherentAttr", "Loc",
    "Name", "Operands", "Operation", "OperationName", "ParentOp", "Properties",
    "PropertiesAsAttr", "Region", "Regions", "Result", "Results",
    "Successors", "Type", "ODSOperands", "ODSResults", "ODSOperandIndexAndLength",
    "ODSResultIndexAndLength", "AsmResultNames",
}

# C++ keywords and names ODS-generated builders use for their own parameters.
RESERVED_IDENTIFIERS = {
    "alignas", "alignof", "and", "asm", "auto", "break", "case", "catch",
    "char", "class", "const", "continue", "default", "delete", "do", "double",
    "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace",
    "new", "not", "operator", "or", "private", "protected", "public",
    "register", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "template", "this", "throw", "true", "try", "typedef", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "while",
    "odsBuilder", "odsState", "attributes", "properties", "operands",
    "resultTypes",
}


class GenError(Exception):
    pass


def camel(snake):
    """`dim_IntList` -> `DimIntList`; leading underscores are dropped."""
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_") if p)


def read_op_list(path):
    names = []
    seen = set()
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            name = line.split("#", 1)[0].strip()
            if not name:
                continue
            if name in seen:
                raise GenError(f"{path}:{lineno}: duplicate op '{name}'")
            seen.add(name)
            names.append((name, f"{path}:{lineno}"))
    return names


def load_schemas(native_yaml, tags_yaml):
    # torchgen is only on /usr/bin/python3's path; say so instead of a bare
    # ImportError.
    try:
        from torchgen.gen import parse_native_yaml
    except ImportError as e:
        raise GenError(
            f"cannot import torchgen ({e}); run this script with /usr/bin/python3"
        )
    # parse_native_yaml also adds the functional variants torchgen generates
    # (e.g. `zero` from `zero_`).
    parsed = parse_native_yaml(native_yaml, tags_yaml)
    return {str(f.func.name): f for f in parsed.native_functions}


def constraint_for(ty, where):
    from torchgen.model import BaseType, ListType, OptionalType

    if isinstance(ty, BaseType):
        name = ty.name.name
        if name not in BASE_CONSTRAINTS:
            raise GenError(f"{where}: unsupported schema type '{ty}'")
        return BASE_CONSTRAINTS[name]
    if isinstance(ty, OptionalType):
        inner = constraint_for(ty.elem, where)
        if inner not in OPTIONAL_CONSTRAINTS:
            raise GenError(f"{where}: unsupported schema type '{ty}'")
        return OPTIONAL_CONSTRAINTS[inner]
    if isinstance(ty, ListType):
        inner = constraint_for(ty.elem, where)
        if inner not in LIST_CONSTRAINTS:
            raise GenError(f"{where}: unsupported schema type '{ty}'")
        return LIST_CONSTRAINTS[inner]
    raise GenError(f"{where}: unsupported schema type '{ty}'")


def ods_name(name, taken, where):
    """The ODS name for schema argument `name`, renamed with a trailing `_`
    when its C++ spelling or accessor would clash."""
    out = name
    while (out in RESERVED_IDENTIFIERS or camel(out) in RESERVED_GETTERS
           or camel(out) in taken):
        out += "_"
    if not out.replace("_", "a").isalnum() or out[0].isdigit():
        raise GenError(f"{where}: argument name '{name}' is not an identifier")
    taken.add(camel(out))
    return out


def is_pure(native_function):
    """Functional (no mutated argument) and deterministic: safe to CSE/DCE."""
    from torchgen.model import SchemaKind

    schema = native_function.func
    if schema.kind() != SchemaKind.functional:
        return False
    if "nondeterministic_seeded" in native_function.tags:
        return False
    return not any(a.annotation is not None and a.annotation.is_write
                   for a in schema.arguments.flat_all)


def class_name(op_name):
    """`sum.dim_IntList` -> `AtenSumDimIntListOp`; an in-place name keeps its
    trailing `_` (`add_.Tensor` -> `AtenAdd_TensorOp`)."""
    name, _, overload = op_name.partition(".")
    inplace = "_" if name.endswith("_") else ""
    return "Aten" + camel(name) + inplace + camel(overload) + "Op"


def emit_op(op_name, native_function, where):
    schema = native_function.func
    cls = class_name(op_name)
    taken = set()
    results = []
    if len(schema.returns) == 1 and str(schema.returns[0].type) == "Tensor":
        results.append(("result", "AnyTorchTensorType"))
    else:
        for i, ret in enumerate(schema.returns):
            c = ("AnyTorchTensorType" if str(ret.type) == "Tensor" else
                 constraint_for(ret.type, f"{where}: return {i}"))
            results.append((f"result{i}", c))
    if not results:
        raise GenError(f"{where}: '{op_name}' returns nothing")
    for r, _ in results:
        taken.add(camel(r))

    args = []
    for a in schema.arguments.flat_all:
        c = constraint_for(a.type, f"{where}: argument '{a.name}' of {op_name}")
        args.append((ods_name(a.name, taken, where), c))

    traits = ["Pure"] if is_pure(native_function) else []
    ins = ",\n    ".join(f"{c}:${n}" for n, c in args)
    outs = ",\n    ".join(f"{c}:${n}" for n, c in results)
    operands = " `,` ".join(f"${n}" for n, _ in args)
    operand_types = " `,` ".join(f"qualified(type(${n}))" for n, _ in args)
    result_types = " `,` ".join(f"qualified(type(${n}))" for n, _ in results)
    fmt = f"{operands} attr-dict `:` {operand_types} `->` {result_types}"
    schema_text = str(schema)
    if "}]" in schema_text:
        raise GenError(f"{where}: schema of '{op_name}' contains '}}]'")
    return f"""
def Torch_{cls} : Torch_Op<"aten.{op_name}", [{", ".join(traits)}]> {{
  let summary = "aten::{op_name}, generated from its ATen schema";
  let description = [{{
    ATen schema: `{schema_text}`
  }}];
  let arguments = (ins
    {ins}
  );
  let results = (outs
    {outs}
  );
  let assemblyFormat = [{{
    {fmt}
  }}];
}}
"""


def generate(op_list, schemas):
    missing = [(n, w) for n, w in op_list if n not in schemas]
    if missing:
        raise GenError("ops not found in native_functions.yaml:\n" +
                       "\n".join(f"  {w}: '{n}'" for n, w in missing))
    classes = {}
    parts = [
        "//===- GeneratedTorchOps.td - ATen ops of the Torch dialect -*- tablegen -*-===//\n"
        "//\n"
        "// Generated by tools/gen_torch_ods.py from ops.txt and PyTorch's\n"
        "// native_functions.yaml. Do not edit.\n"
        "//\n"
        "//===----------------------------------------------------------------------===//\n"
    ]
    for name, where in op_list:
        cls = class_name(name)
        if cls in classes:
            raise GenError(f"{where}: '{name}' and '{classes[cls]}' both map "
                           f"to class {cls}")
        classes[cls] = name
        parts.append(emit_op(name, schemas[name], where))
    return "".join(parts)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ops", required=True, help="op list file (ops.txt)")
    p.add_argument("--native-functions",
                   default=os.path.join(NATIVE_DIR, "native_functions.yaml"))
    p.add_argument("--tags", default=None,
                   help="tags.yaml (default: next to native_functions.yaml)")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args(argv)
    tags = args.tags or os.path.join(
        os.path.dirname(args.native_functions), "tags.yaml")
    try:
        op_list = read_op_list(args.ops)
        text = generate(op_list, load_schemas(args.native_functions, tags))
    except (GenError, OSError) as e:
        print(f"gen_torch_ods.py: error: {e}", file=sys.stderr)
        return 1
    with open(args.output, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
