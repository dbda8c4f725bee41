// Builds Torch-dialect types and ops through the C++ API that the lowering
// code uses, and checks what they report and how they print.

#include "mlir_lowering/Dialect/Torch/IR/TorchDialect.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchOps.h"
#include "mlir_lowering/Dialect/Torch/IR/TorchTypes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace mlir;
using namespace mlir::torch;

template <typename T> std::string str(T value) {
  std::string out;
  llvm::raw_string_ostream os(out);
  value.print(os);
  return out;
}

class TorchDialectTest : public ::testing::Test {
protected:
  TorchDialectTest() {
    DialectRegistry registry;
    registerTorchDialect(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }
  MLIRContext ctx;
};

TEST_F(TorchDialectTest, ValueTensorWithSizesAndDtype) {
  Type f32 = Float32Type::get(&ctx);
  SmallVector<int64_t> sizes = {2, kUnknownSize, 3};
  auto t = ValueTensorType::get(&ctx, ArrayRef<int64_t>(sizes), f32);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t.hasSizes());
  EXPECT_EQ(t.getSizes(), ArrayRef<int64_t>(sizes));
  EXPECT_TRUE(t.hasDtype());
  EXPECT_EQ(t.getDtype(), f32);
  EXPECT_EQ(str(Type(t)), "!torch.vtensor<[2,?,3],f32>");

  RankedTensorType builtin = t.toBuiltinTensor();
  ASSERT_TRUE(builtin);
  EXPECT_EQ(builtin.getShape(),
            ArrayRef<int64_t>({2, ShapedType::kDynamic, 3}));
  EXPECT_EQ(builtin.getElementType(), f32);
  // Uniqued: the same parameters give the same type.
  EXPECT_EQ(t, ValueTensorType::get(&ctx, ArrayRef<int64_t>(sizes), f32));
}

TEST_F(TorchDialectTest, ToBuiltinTensorMakesIntegersSignless) {
  struct Case {
    Type dtype;
    Type expected;
  } cases[] = {
      {IntegerType::get(&ctx, 64, IntegerType::Signed),
       IntegerType::get(&ctx, 64)},
      {IntegerType::get(&ctx, 32, IntegerType::Signed),
       IntegerType::get(&ctx, 32)},
      {IntegerType::get(&ctx, 8, IntegerType::Unsigned),
       IntegerType::get(&ctx, 8)},
      {IntegerType::get(&ctx, 1), IntegerType::get(&ctx, 1)},
      {BFloat16Type::get(&ctx), BFloat16Type::get(&ctx)},
  };
  for (const Case &c : cases) {
    auto t = ValueTensorType::get(&ctx, ArrayRef<int64_t>{4}, c.dtype);
    RankedTensorType builtin = t.toBuiltinTensor();
    ASSERT_TRUE(builtin) << str(Type(t));
    EXPECT_EQ(builtin.getElementType(), c.expected) << str(Type(t));
  }
}

TEST_F(TorchDialectTest, UnknownSizesOrDtype) {
  Type f32 = Float32Type::get(&ctx);
  auto rank0 = ValueTensorType::get(&ctx, ArrayRef<int64_t>{}, f32);
  auto unranked = ValueTensorType::get(&ctx, std::nullopt, f32);
  auto noDtype = ValueTensorType::get(&ctx, ArrayRef<int64_t>{2}, Type());
  auto unknown = ValueTensorType::get(&ctx, std::nullopt, Type());

  // Rank 0 is not "unknown sizes".
  EXPECT_NE(rank0, unranked);
  EXPECT_TRUE(rank0.hasSizes());
  EXPECT_TRUE(rank0.getSizes().empty());
  ASSERT_TRUE(rank0.toBuiltinTensor());
  EXPECT_EQ(rank0.toBuiltinTensor().getRank(), 0);
  EXPECT_EQ(str(Type(rank0)), "!torch.vtensor<[],f32>");

  EXPECT_FALSE(unranked.hasSizes());
  EXPECT_FALSE(unranked.toBuiltinTensor());
  EXPECT_EQ(str(Type(unranked)), "!torch.vtensor<*,f32>");

  EXPECT_FALSE(noDtype.hasDtype());
  EXPECT_FALSE(noDtype.getDtype());
  EXPECT_FALSE(noDtype.toBuiltinTensor());
  EXPECT_EQ(str(Type(noDtype)), "!torch.vtensor<[2],unk>");

  EXPECT_EQ(str(Type(unknown)), "!torch.vtensor");
}

TEST_F(TorchDialectTest, GetCheckedRejectsBadDtype) {
  std::string diag;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diag = d.str();
    return success();
  });
  auto bad = ValueTensorType::getChecked(
      [&] { return emitError(UnknownLoc::get(&ctx)); }, &ctx,
      std::optional<ArrayRef<int64_t>>(ArrayRef<int64_t>{2}),
      Type(IntegerType::get(&ctx, 64)));
  EXPECT_FALSE(bad);
  EXPECT_NE(diag.find("unsupported tensor dtype"), std::string::npos) << diag;
}

TEST_F(TorchDialectTest, ScalarAndContainerTypes) {
  EXPECT_EQ(str(Type(IntType::get(&ctx))), "!torch.int");
  EXPECT_EQ(str(Type(torch::FloatType::get(&ctx))), "!torch.float");
  EXPECT_EQ(str(Type(BoolType::get(&ctx))), "!torch.bool");
  EXPECT_EQ(str(Type(torch::NoneType::get(&ctx))), "!torch.none");
  EXPECT_EQ(str(Type(StringType::get(&ctx))), "!torch.str");
  EXPECT_EQ(str(Type(DeviceType::get(&ctx))), "!torch.Device");
  EXPECT_EQ(str(Type(GeneratorType::get(&ctx))), "!torch.Generator");

  auto intList = ListType::get(IntType::get(&ctx));
  EXPECT_EQ(intList.getContainedType(), IntType::get(&ctx));
  EXPECT_EQ(str(Type(intList)), "!torch.list<int>");

  auto tensorList = ListType::get(
      ValueTensorType::get(&ctx, ArrayRef<int64_t>{2}, Float32Type::get(&ctx)));
  EXPECT_EQ(str(Type(tensorList)), "!torch.list<vtensor<[2],f32>>");

  auto optional = OptionalType::get(intList);
  EXPECT_EQ(optional.getContainedType(), intList);
  EXPECT_EQ(str(Type(optional)), "!torch.optional<list<int>>");
}

TEST_F(TorchDialectTest, ParseTypes) {
  for (const char *text :
       {"!torch.vtensor<[2,?,3],f32>", "!torch.vtensor<[],si64>",
        "!torch.vtensor", "!torch.list<vtensor>", "!torch.optional<int>",
        "!torch.list<optional<vtensor<[4],ui8>>>"}) {
    Type t = parseType(text, &ctx);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(str(t), text);
  }
  auto t = dyn_cast_or_null<ValueTensorType>(
      parseType("!torch.vtensor<[4,?],bf16>", &ctx));
  ASSERT_TRUE(t);
  EXPECT_EQ(t.getSizes(), ArrayRef<int64_t>({4, kUnknownSize}));
  EXPECT_TRUE(t.getDtype().isBF16());
}

TEST_F(TorchDialectTest, BuildOps) {
  OpBuilder b(&ctx);
  Location loc = UnknownLoc::get(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());

  auto one = ConstantIntOp::create(b, loc, 1);
  auto minus100 = ConstantIntOp::create(b, loc, -100);
  auto alpha = ConstantFloatOp::create(b, loc, 1.0);
  auto keepdim = ConstantBoolOp::create(b, loc, false);
  auto none = ConstantNoneOp::create(b, loc);
  auto reduction = ConstantStrOp::create(b, loc, "mean");
  EXPECT_EQ(minus100.getValueAttr().getInt(), -100);
  EXPECT_EQ(reduction.getValue(), "mean");

  auto f32 = Float32Type::get(&ctx);
  auto x = ValueTensorLiteralOp::create(
      b, loc, DenseElementsAttr::get(RankedTensorType::get({2, 3}, f32), 1.0f));
  EXPECT_EQ(str(Type(x.getType())), "!torch.vtensor<[2,3],f32>");
  auto targetAttr = DenseElementsAttr::get(
      RankedTensorType::get({2}, IntegerType::get(&ctx, 64)),
      ArrayRef<int64_t>{0, 1});
  auto target = ValueTensorLiteralOp::create(b, loc, targetAttr);
  // Signless integer literals give signed tensors.
  EXPECT_EQ(str(Type(target.getType())), "!torch.vtensor<[2],si64>");

  auto vt = [&](ArrayRef<int64_t> sizes) {
    return ValueTensorType::get(&ctx, sizes, f32);
  };
  auto add = AtenAddTensorOp::create(b, loc, vt({2, 3}), x, x, one);
  EXPECT_EQ(add.getSelf(), x.getResult());
  EXPECT_EQ(add.getOther(), x.getResult());
  EXPECT_EQ(add.getAlpha(), one.getResult());
  EXPECT_EQ(add.getResult().getType(), vt({2, 3}));

  auto dims = PrimListConstructOp::create(
      b, loc, ListType::get(IntType::get(&ctx)), ValueRange{one});
  auto sum =
      AtenSumDimIntListOp::create(b, loc, vt({2}), add, dims, keepdim, none);
  EXPECT_EQ(sum.getDim(), dims.getResult());
  EXPECT_EQ(sum.getKeepdim(), keepdim.getResult());
  EXPECT_EQ(sum.getDtype(), none.getResult());

  auto logSoftmax =
      AtenLogSoftmaxOp::create(b, loc, vt({2, 3}), add, one, keepdim);
  auto nll = AtenNllLossForwardOp::create(b, loc, vt({}), vt({}), logSoftmax,
                                          target, none, one, minus100);
  EXPECT_EQ(nll.getResult0().getType(), vt({}));
  EXPECT_EQ(nll.getResult1().getType(), vt({}));
  auto item = AtenFloatTensorOp::create(b, loc, torch::FloatType::get(&ctx),
                                        nll.getResult0());
  EXPECT_EQ(item.getA(), nll.getResult0());
  auto transposed =
      AtenTransposeCopyIntOp::create(b, loc, vt({3, 2}), add, minus100, one);
  (void)transposed;
  (void)alpha;
  (void)reduction;

  ASSERT_TRUE(succeeded(verify(*module)));
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  EXPECT_NE(text.find("%int1 = torch.constant.int 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("%int-100 = torch.constant.int -100"), std::string::npos)
      << text;
  EXPECT_NE(text.find("%float1.0 = torch.constant.float 1.000000e+00"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("%false = torch.constant.bool false"), std::string::npos)
      << text;
  EXPECT_NE(text.find("%none = torch.constant.none"), std::string::npos)
      << text;
  EXPECT_NE(text.find("%str = torch.constant.str \"mean\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("torch.aten._log_softmax"), std::string::npos) << text;
}

TEST_F(TorchDialectTest, MaterializeConstant) {
  OpBuilder b(&ctx);
  Location loc = UnknownLoc::get(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  Dialect *dialect = ctx.getLoadedDialect<TorchDialect>();
  ASSERT_TRUE(dialect);

  Operation *i = dialect->materializeConstant(b, b.getI64IntegerAttr(7),
                                              IntType::get(&ctx), loc);
  ASSERT_TRUE(i && isa<ConstantIntOp>(i));
  EXPECT_EQ(cast<ConstantIntOp>(i).getValueAttr().getInt(), 7);
  Operation *f = dialect->materializeConstant(b, b.getF64FloatAttr(0.5),
                                              torch::FloatType::get(&ctx), loc);
  ASSERT_TRUE(f && isa<ConstantFloatOp>(f));
  Operation *n = dialect->materializeConstant(b, b.getUnitAttr(),
                                              torch::NoneType::get(&ctx), loc);
  ASSERT_TRUE(n && isa<ConstantNoneOp>(n));
  // Mismatched attribute and type: no constant.
  EXPECT_EQ(dialect->materializeConstant(b, b.getStringAttr("x"),
                                         IntType::get(&ctx), loc),
            nullptr);
}

} // namespace
