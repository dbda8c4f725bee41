//===- TorchTypes.td - Torch dialect types -----------------*- tablegen -*-===//

#ifndef LTC_MLIR_TORCH_TYPES
#define LTC_MLIR_TORCH_TYPES

include "mlir/IR/AttrTypeBase.td"
include "mlir_lowering/Dialect/Torch/IR/TorchBase.td"

class Torch_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Torch_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Torch_IntType : Torch_Type<"Int", "int"> {
  let summary = "TorchScript `int` (64-bit signed)";
}

def Torch_FloatType : Torch_Type<"Float", "float"> {
  let summary = "TorchScript `float` (64-bit IEEE)";
}

def Torch_BoolType : Torch_Type<"Bool", "bool"> {
  let summary = "TorchScript `bool`";
}

def Torch_NoneType : Torch_Type<"None", "none"> {
  let summary = "TorchScript `None`";
}

def Torch_StringType : Torch_Type<"String", "str"> {
  let summary = "TorchScript `str`";
}

def Torch_DeviceType : Torch_Type<"Device", "Device"> {
  let summary = "TorchScript `Device`";
}

def Torch_GeneratorType : Torch_Type<"Generator", "Generator"> {
  let summary = "TorchScript `Generator`";
}

// Container types print their element without the `!torch.` prefix when it is
// a Torch type (`!torch.list<int>`), as torch-mlir does.
class Torch_ContainerType<string name, string typeMnemonic>
    : Torch_Type<name, typeMnemonic> {
  let parameters = (ins "::mlir::Type":$containedType);
  let hasCustomAssemblyFormat = 1;
  let builders = [
    TypeBuilderWithInferredContext<(ins "::mlir::Type":$containedType), [{
      return $_get(containedType.getContext(), containedType);
    }]>
  ];
  let skipDefaultBuilders = 1;
}

def Torch_ListType : Torch_ContainerType<"List", "list"> {
  let summary = "TorchScript `List[T]`";
}

def Torch_OptionalType : Torch_ContainerType<"Optional", "optional"> {
  let summary = "TorchScript `Optional[T]`";
}

// std::optional<ArrayRef<int64_t>>: unknown rank (nullopt) is distinct from
// rank 0 (an empty array), which OptionalArrayRefParameter cannot tell apart.
def Torch_OptionalSizesParameter
    : AttrOrTypeParameter<"::std::optional<::llvm::ArrayRef<int64_t>>",
                          "sizes, or none when the rank is unknown"> {
  let allocator = [{
    if ($_self.has_value())
      $_dst = $_allocator.copyInto(*$_self);
  }];
}

def Torch_ValueTensorType : Torch_Type<"ValueTensor", "vtensor"> {
  let summary = "tensor with value semantics";
  let description = [{
    `!torch.vtensor<[2,?,3],f32>`: sizes (`?` unknown) and dtype. `*` stands
    for unknown sizes, `unk` for an unknown dtype, and `!torch.vtensor` with
    no parameters for both.
  }];
  let parameters = (ins Torch_OptionalSizesParameter:$optionalSizes,
                        "::mlir::Type":$optionalDtype);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool hasSizes() const { return getOptionalSizes().has_value(); }
    /// Valid only if hasSizes().
    ::llvm::ArrayRef<int64_t> getSizes() const { return *getOptionalSizes(); }
    bool hasDtype() const { return static_cast<bool>(getOptionalDtype()); }
    ::mlir::Type getDtype() const { return getOptionalDtype(); }
    /// The builtin tensor with the same sizes and the signless element type;
    /// null if the sizes or the dtype are unknown.
    ::mlir::RankedTensorType toBuiltinTensor() const;
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints used by the op definitions
//===----------------------------------------------------------------------===//

def AnyTorchTensorType : Type<Torch_ValueTensorType.predicate,
    "Torch value tensor", "::mlir::torch::ValueTensorType">;

// A container whose element satisfies `elem`.
class Torch_ContainerOf<Type elem, string container, string desc>
    : Type<And<[CPred<"::llvm::isa<::mlir::torch::" # container # ">($_self)">,
                SubstLeaves<"$_self",
                  "::llvm::cast<::mlir::torch::" # container
                    # ">($_self).getContainedType()",
                  elem.predicate>]>,
           desc, "::mlir::torch::" # container>;

class Torch_ListOf<Type elem, string desc>
    : Torch_ContainerOf<elem, "ListType", desc>;

// An optional value: the value itself, `!torch.none`, or `!torch.optional<T>`.
class Torch_OptionalOf<Type elem, string desc>
    : AnyTypeOf<[elem, Torch_NoneType,
                 Torch_ContainerOf<elem, "OptionalType", desc>], desc>;

def AnyTorchScalarType
    : AnyTypeOf<[Torch_IntType, Torch_FloatType, Torch_BoolType],
                "Torch scalar (int, float or bool)">;

def AnyTorchOptionalTensorType
    : Torch_OptionalOf<AnyTorchTensorType, "optional Torch tensor">;
def AnyTorchOptionalIntType : Torch_OptionalOf<Torch_IntType, "optional int">;
def AnyTorchOptionalFloatType
    : Torch_OptionalOf<Torch_FloatType, "optional float">;
def AnyTorchOptionalBoolType : Torch_OptionalOf<Torch_BoolType, "optional bool">;
def AnyTorchOptionalScalarType
    : Torch_OptionalOf<AnyTorchScalarType, "optional scalar">;
def AnyTorchOptionalStringType
    : Torch_OptionalOf<Torch_StringType, "optional str">;
def AnyTorchOptionalDeviceType
    : Torch_OptionalOf<Torch_DeviceType, "optional Device">;
def AnyTorchOptionalGeneratorType
    : Torch_OptionalOf<Torch_GeneratorType, "optional Generator">;

def AnyTorchListOfTensorType
    : Torch_ListOf<AnyTorchTensorType, "list of Torch tensors">;
def AnyTorchListOfOptionalTensorType
    : Torch_ListOf<AnyTorchOptionalTensorType, "list of optional Torch tensors">;
def AnyTorchListOfTorchIntType : Torch_ListOf<Torch_IntType, "list of int">;
def AnyTorchListOfTorchFloatType
    : Torch_ListOf<Torch_FloatType, "list of float">;
def AnyTorchListOfTorchBoolType : Torch_ListOf<Torch_BoolType, "list of bool">;
def AnyTorchListOfTorchStringType
    : Torch_ListOf<Torch_StringType, "list of str">;
def AnyTorchListOfScalarType
    : Torch_ListOf<AnyTorchScalarType, "list of scalars">;

def AnyTorchOptionalListOfTensorType
    : Torch_OptionalOf<AnyTorchListOfTensorType, "optional list of tensors">;
def AnyTorchOptionalListOfTorchIntType
    : Torch_OptionalOf<AnyTorchListOfTorchIntType, "optional list of int">;
def AnyTorchOptionalListOfTorchFloatType
    : Torch_OptionalOf<AnyTorchListOfTorchFloatType, "optional list of float">;
def AnyTorchOptionalListOfTorchBoolType
    : Torch_OptionalOf<AnyTorchListOfTorchBoolType, "optional list of bool">;

#endif // LTC_MLIR_TORCH_TYPES
