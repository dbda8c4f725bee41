// The CPU back end end to end: linalg-on-tensors text is compiled with
// compileLinalgModuleToObject, loaded on the CPU device and run, and its
// results are compared with values computed here by hand.
#include "mlir_lowering/Pipeline/CpuPipeline.h"
#include "runtime/cpu_device.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/TargetParser/Host.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using ltc_mlir::runtime::DeviceBuffer;
using ltc_mlir::runtime::Executable;
using ltc_mlir::runtime::GetCpuDevice;
using ltc_mlir::runtime::ObjectCode;

class CpuPipelineTest : public ::testing::Test {
protected:
  CpuPipelineTest() : context(makeRegistry()) {}

  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    mlir::ltc::registerCpuPipelineDialects(registry);
    return registry;
  }

  mlir::FailureOr<mlir::ltc::CpuCompileResult>
  compile(const char *source, std::string &error,
          const mlir::ltc::CpuCompileOptions &options = {}) {
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    if (!module) {
      error = "parse error";
      return mlir::failure();
    }
    return mlir::ltc::compileLinalgModuleToObject(*module, options, error);
  }

  // Compiles and loads `source`; fails the test on any error.
  std::shared_ptr<Executable> load(const char *source) {
    std::string error;
    auto compiled = compile(source, error);
    EXPECT_TRUE(mlir::succeeded(compiled)) << error;
    if (mlir::failed(compiled))
      return nullptr;
    EXPECT_FALSE(compiled->objectCode.empty());
    EXPECT_FALSE(compiled->llvmDialectIR.empty());
    ObjectCode object{compiled->objectCode, compiled->entrySymbol,
                      compiled->inputBytes, compiled->outputBytes};
    auto executable = GetCpuDevice().Load(object);
    EXPECT_TRUE(executable.ok()) << executable.status();
    if (!executable.ok())
      return nullptr;
    return *executable;
  }

  template <typename T>
  static std::shared_ptr<DeviceBuffer> upload(const std::vector<T> &values) {
    auto buffer = GetCpuDevice().Allocate(values.size() * sizeof(T));
    EXPECT_TRUE(buffer.ok());
    EXPECT_TRUE(
        GetCpuDevice()
            .CopyToDevice(values.data(), values.size() * sizeof(T), **buffer)
            .ok());
    return *buffer;
  }

  template <typename T>
  static std::shared_ptr<DeviceBuffer> allocate(size_t count) {
    auto buffer = GetCpuDevice().Allocate(count * sizeof(T));
    EXPECT_TRUE(buffer.ok());
    // Poison, so that unwritten outputs show.
    std::memset((*buffer)->data(), 0xA5, count * sizeof(T));
    return *buffer;
  }

  template <typename T>
  static std::vector<T> download(const DeviceBuffer &buffer) {
    std::vector<T> values(buffer.size_bytes() / sizeof(T));
    EXPECT_TRUE(GetCpuDevice()
                    .CopyFromDevice(buffer, values.data(), buffer.size_bytes())
                    .ok());
    return values;
  }

  static std::vector<float> iota(size_t n, float start, float step) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = start + step * static_cast<float>(i);
    return v;
  }

  mlir::MLIRContext context;
};

constexpr const char *kAddExp = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @graph(%a: tensor<16x33xf32>, %b: tensor<16x33xf32>) -> tensor<16x33xf32> {
  %e = tensor.empty() : tensor<16x33xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<16x33xf32>, tensor<16x33xf32>) outs(%e : tensor<16x33xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<16x33xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<16x33xf32>) outs(%e : tensor<16x33xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<16x33xf32>
  return %1 : tensor<16x33xf32>
}
)mlir";

TEST_F(CpuPipelineTest, FusedAddExp) {
  std::string error;
  auto compiled = compile(kAddExp, error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  // Fused into a single loop nest: exactly one exp approximation, no call.
  EXPECT_EQ(compiled->llvmDialectIR.find("llvm.call @expf"), std::string::npos);
  EXPECT_EQ(compiled->inputBytes,
            (std::vector<uint64_t>{16 * 33 * 4, 16 * 33 * 4}));
  EXPECT_EQ(compiled->outputBytes, (std::vector<uint64_t>{16 * 33 * 4}));

  auto exe = load(kAddExp);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(16 * 33, -40.0f, 0.1f);
  std::vector<float> b = iota(16 * 33, 3.0f, -0.01f);
  auto ba = upload(a), bb = upload(b);
  auto out = allocate<float>(16 * 33);
  ASSERT_TRUE(exe->Execute({ba.get(), bb.get()}, {out.get()}).ok());
  std::vector<float> result = download<float>(*out);
  for (size_t i = 0; i < a.size(); ++i) {
    float expected = std::exp(a[i] + b[i]);
    EXPECT_NEAR(result[i], expected, 2e-6f * expected) << i;
  }
  // Inputs are untouched.
  EXPECT_EQ(download<float>(*ba), a);
}

constexpr const char *kMatmul = R"mlir(
func.func @graph(%a: tensor<37x70xf32>, %b: tensor<70x45xf32>) -> tensor<37x45xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x45xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<37x45xf32>) -> tensor<37x45xf32>
  %m = linalg.matmul ins(%a, %b : tensor<37x70xf32>, tensor<70x45xf32>)
                     outs(%f : tensor<37x45xf32>) -> tensor<37x45xf32>
  return %m : tensor<37x45xf32>
}
)mlir";

TEST_F(CpuPipelineTest, Matmul) {
  auto exe = load(kMatmul);
  ASSERT_TRUE(exe);
  const int M = 37, K = 70, N = 45;
  std::vector<float> a(M * K), b(K * N);
  for (int i = 0; i < M * K; ++i)
    a[i] = static_cast<float>((i * 7) % 13) - 6.0f;
  for (int i = 0; i < K * N; ++i)
    b[i] = static_cast<float>((i * 5) % 11) * 0.5f - 2.0f;
  auto ba = upload(a), bb = upload(b);
  auto out = allocate<float>(M * N);
  ASSERT_TRUE(exe->Execute({ba.get(), bb.get()}, {out.get()}).ok());
  std::vector<float> result = download<float>(*out);
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      // Small integers and halves: exact in f32 in any summation order.
      float expected = 0;
      for (int k = 0; k < K; ++k)
        expected += a[i * K + k] * b[k * N + j];
      ASSERT_EQ(result[i * N + j], expected) << i << "," << j;
    }
  }
}

constexpr const char *kRowSum = R"mlir(
func.func @graph(%a: tensor<6x100xf32>) -> tensor<6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<6x100xf32>) outs(%f : tensor<6xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  return %r : tensor<6xf32>
}
)mlir";

TEST_F(CpuPipelineTest, Reduction) {
  auto exe = load(kRowSum);
  ASSERT_TRUE(exe);
  std::vector<float> a(600);
  for (int i = 0; i < 600; ++i)
    a[i] = static_cast<float>(i % 100) + (i / 100) * 1000.0f;
  auto ba = upload(a);
  auto out = allocate<float>(6);
  ASSERT_TRUE(exe->Execute({ba.get()}, {out.get()}).ok());
  std::vector<float> result = download<float>(*out);
  for (int r = 0; r < 6; ++r)
    EXPECT_EQ(result[r], 4950.0f + r * 100000.0f) << r;
}

constexpr const char *kIdentityAndViews = R"mlir(
func.func @graph(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<2x3xf32>, tensor<8x4xf32>, tensor<4x8xf32>) {
  %s = tensor.extract_slice %a[1, 2] [2, 3] [1, 2] : tensor<4x8xf32> to tensor<2x3xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %t = linalg.transpose ins(%a : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  return %a, %s, %t, %a : tensor<4x8xf32>, tensor<2x3xf32>, tensor<8x4xf32>, tensor<4x8xf32>
}
)mlir";

TEST_F(CpuPipelineTest, ReturnsInputAndViewsIntoOutputBuffers) {
  std::string error;
  auto compiled = compile(kIdentityAndViews, error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  EXPECT_EQ(compiled->llvmDialectIR.find("memrefCopy"), std::string::npos);

  auto exe = load(kIdentityAndViews);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(32, 0.0f, 1.0f);
  auto ba = upload(a);
  auto o0 = allocate<float>(32), o1 = allocate<float>(6),
       o2 = allocate<float>(32), o3 = allocate<float>(32);
  ASSERT_TRUE(
      exe->Execute({ba.get()}, {o0.get(), o1.get(), o2.get(), o3.get()}).ok());
  EXPECT_EQ(download<float>(*o0), a);
  EXPECT_EQ(download<float>(*o3), a);
  EXPECT_EQ(download<float>(*o1), (std::vector<float>{10, 12, 14, 18, 20, 22}));
  std::vector<float> t = download<float>(*o2);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j)
      EXPECT_EQ(t[i * 4 + j], a[j * 8 + i]);
}

constexpr const char *kTwoResults = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<5xf32>, %b: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>) {
  %e = tensor.empty() : tensor<5xf32>
  %0:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%a, %b : tensor<5xf32>, tensor<5xf32>) outs(%e, %e : tensor<5xf32>, tensor<5xf32>) {
  ^bb0(%x: f32, %y: f32, %o0: f32, %o1: f32):
    %s = arith.addf %x, %y : f32
    %p = arith.mulf %x, %y : f32
    linalg.yield %s, %p : f32, f32
  } -> (tensor<5xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<5xf32>, tensor<5xf32>
}
)mlir";

TEST_F(CpuPipelineTest, TwoResults) {
  auto exe = load(kTwoResults);
  ASSERT_TRUE(exe);
  auto ba = upload(std::vector<float>{1, 2, 3, 4, 5});
  auto bb = upload(std::vector<float>{10, 20, 30, 40, 50});
  auto sum = allocate<float>(5), prod = allocate<float>(5);
  ASSERT_TRUE(exe->Execute({ba.get(), bb.get()}, {sum.get(), prod.get()}).ok());
  EXPECT_EQ(download<float>(*sum), (std::vector<float>{11, 22, 33, 44, 55}));
  EXPECT_EQ(download<float>(*prod), (std::vector<float>{10, 40, 90, 160, 250}));
}

constexpr const char *kZeroD = R"mlir(
func.func @graph(%a: tensor<f32>) -> tensor<f32> {
  %two = arith.constant 2.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<f32>
  %0 = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%a : tensor<f32>) outs(%e : tensor<f32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.mulf %x, %two : f32
    %s = arith.addf %m, %one : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}
)mlir";

TEST_F(CpuPipelineTest, ZeroDimensional) {
  auto exe = load(kZeroD);
  ASSERT_TRUE(exe);
  auto ba = upload(std::vector<float>{3.25f});
  auto out = allocate<float>(1);
  ASSERT_TRUE(exe->Execute({ba.get()}, {out.get()}).ok());
  EXPECT_EQ(download<float>(*out), (std::vector<float>{7.5f}));
}

constexpr const char *kIntAndBool = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<6xi64>, %m: tensor<6xi1>) -> (tensor<6xi64>, tensor<6xi1>) {
  %c = arith.constant dense<[1, -2, 3, -4, 5, 9000000000]> : tensor<6xi64>
  %zero = arith.constant 0 : i64
  %ei = tensor.empty() : tensor<6xi64>
  %eb = tensor.empty() : tensor<6xi1>
  %0:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%a, %c, %m : tensor<6xi64>, tensor<6xi64>, tensor<6xi1>) outs(%ei, %eb : tensor<6xi64>, tensor<6xi1>) {
  ^bb0(%x: i64, %y: i64, %b: i1, %o0: i64, %o1: i1):
    %p = arith.muli %x, %y : i64
    %sel = arith.select %b, %p, %x : i64
    %gt = arith.cmpi sgt, %sel, %zero : i64
    %t = arith.constant true
    %n = arith.xori %gt, %b : i1
    linalg.yield %sel, %n : i64, i1
  } -> (tensor<6xi64>, tensor<6xi1>)
  return %0#0, %0#1 : tensor<6xi64>, tensor<6xi1>
}
)mlir";

TEST_F(CpuPipelineTest, Int64AndBool) {
  auto exe = load(kIntAndBool);
  ASSERT_TRUE(exe);
  std::vector<int64_t> a = {7, 7, -7, -7, 0, 3};
  std::vector<uint8_t> m = {1, 0, 1, 0, 1, 1};
  const int64_t c[] = {1, -2, 3, -4, 5, 9000000000};
  auto ba = upload(a);
  auto bm = upload(m);
  auto oi = allocate<int64_t>(6);
  auto ob = allocate<uint8_t>(6);
  ASSERT_TRUE(exe->Execute({ba.get(), bm.get()}, {oi.get(), ob.get()}).ok());
  std::vector<int64_t> ri = download<int64_t>(*oi);
  std::vector<uint8_t> rb = download<uint8_t>(*ob);
  for (int i = 0; i < 6; ++i) {
    int64_t sel = m[i] ? a[i] * c[i] : a[i];
    EXPECT_EQ(ri[i], sel) << i;
    EXPECT_EQ(rb[i], static_cast<uint8_t>((sel > 0) != (m[i] != 0))) << i;
  }
}

// A body that writes its init operand, which is a graph input: the input
// buffer must not be written.
constexpr const char *kInitIsInput = R"mlir(
func.func @graph(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%b : tensor<8xf32>) outs(%a : tensor<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
)mlir";

TEST_F(CpuPipelineTest, InputsAreNeverWritten) {
  auto exe = load(kInitIsInput);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(8, 1.0f, 1.0f), b = iota(8, 100.0f, 0.0f);
  auto ba = upload(a), bb = upload(b);
  auto out = allocate<float>(8);
  ASSERT_TRUE(exe->Execute({ba.get(), bb.get()}, {out.get()}).ok());
  EXPECT_EQ(download<float>(*out), iota(8, 101.0f, 1.0f));
  EXPECT_EQ(download<float>(*ba), a);
  // The same buffer may be passed as two inputs.
  ASSERT_TRUE(exe->Execute({ba.get(), ba.get()}, {out.get()}).ok());
  EXPECT_EQ(download<float>(*out), iota(8, 2.0f, 2.0f));
}

constexpr const char *kTranscendentals = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<2001xf32>) -> (tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>) {
  %e = tensor.empty() : tensor<2001xf32>
  %0:4 = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%a : tensor<2001xf32>) outs(%e, %e, %e, %e : tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>) {
  ^bb0(%x: f32, %o0: f32, %o1: f32, %o2: f32, %o3: f32):
    %t = math.tanh %x : f32
    %r = math.erf %x : f32
    %ax = math.absf %x : f32
    %l = math.log %ax : f32
    %s = math.sin %x : f32
    linalg.yield %t, %r, %l, %s : f32, f32, f32, f32
  } -> (tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>, tensor<2001xf32>
}
)mlir";

TEST_F(CpuPipelineTest, TranscendentalsAreAccurate) {
  auto exe = load(kTranscendentals);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(2001, -50.0f, 0.05f);
  auto ba = upload(a);
  auto t = allocate<float>(2001), r = allocate<float>(2001),
       l = allocate<float>(2001), s = allocate<float>(2001);
  ASSERT_TRUE(
      exe->Execute({ba.get()}, {t.get(), r.get(), l.get(), s.get()}).ok());
  std::vector<float> rt = download<float>(*t), rr = download<float>(*r),
                     rl = download<float>(*l), rs = download<float>(*s);
  for (size_t i = 0; i < a.size(); ++i) {
    float x = a[i];
    EXPECT_NEAR(rt[i], std::tanh(x), 2e-6f) << x;
    EXPECT_NEAR(rr[i], std::erf(x), 2e-6f) << x;
    if (x != 0.0f) {
      EXPECT_NEAR(rl[i], std::log(std::fabs(x)),
                  2e-6f * (1 + std::fabs(std::log(std::fabs(x)))))
          << x;
    }
    EXPECT_NEAR(rs[i], std::sin(x), 2e-6f) << x;
  }
}

constexpr const char *kBf16 = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<4xbf16>) -> tensor<4xbf16> {
  %e = tensor.empty() : tensor<4xbf16>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%a : tensor<4xbf16>) outs(%e : tensor<4xbf16>) {
  ^bb0(%x: bf16, %o: bf16):
    %s = arith.addf %x, %x : bf16
    %t = math.exp %s : bf16
    linalg.yield %t : bf16
  } -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}
)mlir";

TEST_F(CpuPipelineTest, BFloat16) {
  auto exe = load(kBf16);
  ASSERT_TRUE(exe);
  // bf16 is the upper half of an f32.
  auto toBf16 = [](float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return static_cast<uint16_t>(bits >> 16);
  };
  auto fromBf16 = [](uint16_t h) {
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  };
  std::vector<uint16_t> a = {toBf16(0.0f), toBf16(0.5f), toBf16(1.0f),
                             toBf16(-1.0f)};
  auto ba = upload(a);
  auto out = allocate<uint16_t>(4);
  ASSERT_TRUE(exe->Execute({ba.get()}, {out.get()}).ok());
  std::vector<uint16_t> result = download<uint16_t>(*out);
  const float expected[] = {1.0f, 2.718281828f, 7.389056099f, 0.135335283f};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(fromBf16(result[i]), expected[i], expected[i] * 1e-2f) << i;
}

constexpr const char *kOtherTypes = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%d: tensor<3xf64>, %i: tensor<3xi32>, %b: tensor<3xi8>) -> (tensor<3xf64>, tensor<3xi32>) {
  %ed = tensor.empty() : tensor<3xf64>
  %ei = tensor.empty() : tensor<3xi32>
  %0:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%d, %i, %b : tensor<3xf64>, tensor<3xi32>, tensor<3xi8>) outs(%ed, %ei : tensor<3xf64>, tensor<3xi32>) {
  ^bb0(%x: f64, %y: i32, %z: i8, %o0: f64, %o1: i32):
    %e = math.exp %x : f64
    %w = arith.extsi %z : i8 to i32
    %s = arith.addi %y, %w : i32
    linalg.yield %e, %s : f64, i32
  } -> (tensor<3xf64>, tensor<3xi32>)
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xi32>
}
)mlir";

TEST_F(CpuPipelineTest, F64I32I8) {
  auto exe = load(kOtherTypes);
  ASSERT_TRUE(exe);
  std::vector<double> d = {0.0, 1.0, -2.5};
  std::vector<int32_t> i = {1, -100000, 2147483000};
  std::vector<int8_t> b = {-128, 127, 5};
  auto bd = upload(d), bi = upload(i), bb = upload(b);
  auto od = allocate<double>(3), oi = allocate<int32_t>(3);
  ASSERT_TRUE(
      exe->Execute({bd.get(), bi.get(), bb.get()}, {od.get(), oi.get()}).ok());
  std::vector<double> rd = download<double>(*od);
  for (int k = 0; k < 3; ++k)
    EXPECT_DOUBLE_EQ(rd[k], std::exp(d[k])) << k;
  EXPECT_EQ(download<int32_t>(*oi),
            (std::vector<int32_t>{-127, -99873, 2147483005}));
}

// Reductions that accumulate in a wider type than they read: f32 summed in
// f64, f16 summed in f32 (then also f16 arithmetic, computed in f32).
constexpr const char *kWideningSums = R"mlir(
func.func @graph(%a: tensor<4x300xf32>, %h: tensor<4x64xf16>) -> (tensor<4xf64>, tensor<4xf32>, tensor<4xf16>) {
  %zd = arith.constant 0.0 : f64
  %zf = arith.constant 0.0 : f32
  %ed = tensor.empty() : tensor<4xf64>
  %fd = linalg.fill ins(%zd : f64) outs(%ed : tensor<4xf64>) -> tensor<4xf64>
  %ef = tensor.empty() : tensor<4xf32>
  %ff = linalg.fill ins(%zf : f32) outs(%ef : tensor<4xf32>) -> tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%a : tensor<4x300xf32>) outs(%fd : tensor<4xf64>) {
  ^bb0(%x: f32, %acc: f64):
    %w = arith.extf %x : f32 to f64
    %s = arith.addf %acc, %w : f64
    linalg.yield %s : f64
  } -> tensor<4xf64>
  %1 = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%h : tensor<4x64xf16>) outs(%ff : tensor<4xf32>) {
  ^bb0(%x: f16, %acc: f32):
    %w = arith.extf %x : f16 to f32
    %s = arith.addf %acc, %w : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %eh = tensor.empty() : tensor<4xf16>
  %2 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%1 : tensor<4xf32>) outs(%eh : tensor<4xf16>) {
  ^bb0(%x: f32, %o: f16):
    %t = arith.truncf %x : f32 to f16
    %d = arith.addf %t, %t : f16
    linalg.yield %d : f16
  } -> tensor<4xf16>
  return %0, %1, %2 : tensor<4xf64>, tensor<4xf32>, tensor<4xf16>
}
)mlir";

// IEEE half <-> float for values that are exact in half (normal or zero).
uint16_t toHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) == 0)
    return static_cast<uint16_t>(bits >> 16);
  uint32_t sign = (bits >> 16) & 0x8000;
  int32_t exponent = static_cast<int32_t>((bits >> 23) & 0xff) - 127 + 15;
  return static_cast<uint16_t>(sign | (exponent << 10) |
                               ((bits >> 13) & 0x3ff));
}
float fromHalf(uint16_t h) {
  if ((h & 0x7fff) == 0)
    return (h & 0x8000) ? -0.0f : 0.0f;
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exponent = ((h >> 10) & 0x1f) - 15 + 127;
  uint32_t bits =
      sign | (exponent << 23) | (static_cast<uint32_t>(h & 0x3ff) << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST_F(CpuPipelineTest, WideningReductions) {
  std::string error;
  auto compiled = compile(kWideningSums, error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  // Casts carry no arith fast-math attribute into the LLVM dialect.
  EXPECT_EQ(compiled->llvmDialectIR.find("#arith.fastmath"), std::string::npos)
      << compiled->llvmDialectIR;
  // The accumulation itself may be reassociated.
  EXPECT_NE(compiled->llvmDialectIR.find("llvm.fadd"), std::string::npos);

  auto exe = load(kWideningSums);
  ASSERT_TRUE(exe);
  // f32 values whose f32 sum rounds but whose f64 sum is exact.
  std::vector<float> a(4 * 300);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = 16777216.0f * static_cast<float>(i % 3) + static_cast<float>(i % 7);
  std::vector<uint16_t> h(4 * 64);
  for (size_t i = 0; i < h.size(); ++i)
    h[i] = toHalf(0.25f * static_cast<float>(i % 9) - 1.0f);
  auto ba = upload(a), bh = upload(h);
  auto sumD = allocate<double>(4), sumF = allocate<float>(4),
       twice = allocate<uint16_t>(4);
  ASSERT_TRUE(
      exe->Execute({ba.get(), bh.get()}, {sumD.get(), sumF.get(), twice.get()})
          .ok());
  std::vector<double> rd = download<double>(*sumD);
  std::vector<float> rf = download<float>(*sumF);
  std::vector<uint16_t> rh = download<uint16_t>(*twice);
  for (int r = 0; r < 4; ++r) {
    double expectedD = 0;
    for (int k = 0; k < 300; ++k)
      expectedD += static_cast<double>(a[r * 300 + k]);
    EXPECT_EQ(rd[r], expectedD) << r;
    float expectedF = 0;
    for (int k = 0; k < 64; ++k)
      expectedF += fromHalf(h[r * 64 + k]);
    EXPECT_EQ(rf[r], expectedF) << r;
    EXPECT_EQ(fromHalf(rh[r]), 2 * expectedF) << r;
  }
}

// Integer powers with exponents known only at run time.
constexpr const char *kIntegerPowers = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<6xi64>, %b: tensor<6xi64>, %x: tensor<6xf32>, %n: tensor<6xi32>) -> (tensor<6xi64>, tensor<6xf32>) {
  %e = tensor.empty() : tensor<6xi64>
  %ef = tensor.empty() : tensor<6xf32>
  %0:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map, #map], iterator_types = ["parallel"]}
      ins(%a, %b, %x, %n : tensor<6xi64>, tensor<6xi64>, tensor<6xf32>, tensor<6xi32>) outs(%e, %ef : tensor<6xi64>, tensor<6xf32>) {
  ^bb0(%p: i64, %q: i64, %y: f32, %k: i32, %o: i64, %of: f32):
    %r = math.ipowi %p, %q : i64
    %f = math.fpowi %y, %k : f32, i32
    linalg.yield %r, %f : i64, f32
  } -> (tensor<6xi64>, tensor<6xf32>)
  return %0#0, %0#1 : tensor<6xi64>, tensor<6xf32>
}
)mlir";

TEST_F(CpuPipelineTest, IntegerPowers) {
  auto exe = load(kIntegerPowers);
  ASSERT_TRUE(exe);
  std::vector<int64_t> base = {2, -3, 7, 0, 1, 10};
  std::vector<int64_t> exponent = {10, 3, 0, 5, 62, 18};
  std::vector<float> x = {2.0f, -1.5f, 0.5f, 3.0f, 2.0f, 1.0f};
  std::vector<int32_t> n = {-2, 3, 4, 0, 20, -7};
  auto bb = upload(base), be = upload(exponent), bx = upload(x), bn = upload(n);
  auto oi = allocate<int64_t>(6), of = allocate<float>(6);
  ASSERT_TRUE(exe->Execute({bb.get(), be.get(), bx.get(), bn.get()},
                           {oi.get(), of.get()})
                  .ok());
  EXPECT_EQ(download<int64_t>(*oi),
            (std::vector<int64_t>{1024, -27, 1, 0, 1, 1000000000000000000}));
  EXPECT_EQ(download<float>(*of), (std::vector<float>{0.25f, -3.375f, 0.0625f,
                                                      1.0f, 1048576.0f, 1.0f}));
}

// One computed value and one input, each returned twice, and a value
// returned three times: every output gets its own copy.
constexpr const char *kRepeatedResults = R"mlir(
#map = affine_map<(d0) -> (d0)>
func.func @graph(%a: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %e = tensor.empty() : tensor<5xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%a : tensor<5xf32>) outs(%e : tensor<5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  return %0, %a, %0, %a, %0 : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}
)mlir";

TEST_F(CpuPipelineTest, RepeatedResults) {
  auto exe = load(kRepeatedResults);
  ASSERT_TRUE(exe);
  std::vector<float> a = {1, 2, 3, 4, 5};
  std::vector<float> doubled = {2, 4, 6, 8, 10};
  auto ba = upload(a);
  std::vector<std::shared_ptr<DeviceBuffer>> outs;
  std::vector<DeviceBuffer *> outPtrs;
  for (int i = 0; i < 5; ++i) {
    outs.push_back(allocate<float>(5));
    outPtrs.push_back(outs.back().get());
  }
  ASSERT_TRUE(exe->Execute({ba.get()}, outPtrs).ok());
  EXPECT_EQ(download<float>(*outs[0]), doubled);
  EXPECT_EQ(download<float>(*outs[1]), a);
  EXPECT_EQ(download<float>(*outs[2]), doubled);
  EXPECT_EQ(download<float>(*outs[3]), a);
  EXPECT_EQ(download<float>(*outs[4]), doubled);
  EXPECT_EQ(download<float>(*ba), a);
}

TEST_F(CpuPipelineTest, BadInputFailsWithAMessage) {
  std::string error;
  // A dynamic shape.
  auto dynamic = compile(R"mlir(
    func.func @graph(%a: tensor<?xf32>) -> tensor<?xf32> {
      return %a : tensor<?xf32>
    })mlir",
                         error);
  EXPECT_TRUE(mlir::failed(dynamic));
  EXPECT_NE(error.find("dynamic"), std::string::npos) << error;

  // No function at all.
  error.clear();
  EXPECT_TRUE(mlir::failed(compile("module {}", error)));
  EXPECT_NE(error.find("graph"), std::string::npos) << error;

  // An op that nothing lowers.
  error.clear();
  context.allowUnregisteredDialects();
  auto unknown = compile(R"mlir(
    func.func @graph(%a: tensor<4xf32>) -> tensor<4xf32> {
      %0 = "mystery.op"(%a) : (tensor<4xf32>) -> tensor<4xf32>
      return %0 : tensor<4xf32>
    })mlir",
                         error);
  EXPECT_TRUE(mlir::failed(unknown));
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("mystery.op"), std::string::npos) << error;

  // Complex elements are not supported by the runtime.
  error.clear();
  auto complexType = compile(R"mlir(
    func.func @graph(%a: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
      return %a : tensor<4xcomplex<f32>>
    })mlir",
                             error);
  EXPECT_TRUE(mlir::failed(complexType));
  EXPECT_NE(error.find("element type"), std::string::npos) << error;
}

TEST_F(CpuPipelineTest, UndefinedSymbolFailsAtLoad) {
  std::string error;
  auto compiled = compile(R"mlir(
    func.func private @ltc_no_such_function(f32) -> f32
    func.func @graph(%a: tensor<f32>) -> tensor<f32> {
      %x = tensor.extract %a[] : tensor<f32>
      %y = func.call @ltc_no_such_function(%x) : (f32) -> f32
      %r = tensor.from_elements %y : tensor<f32>
      return %r : tensor<f32>
    })mlir",
                          error);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  auto executable = GetCpuDevice().Load(
      ObjectCode{compiled->objectCode, compiled->entrySymbol, {}, {}});
  ASSERT_FALSE(executable.ok());
  EXPECT_NE(executable.status().message().find("ltc_no_such_function"),
            std::string::npos)
      << executable.status();
}

TEST_F(CpuPipelineTest, ExecuteChecksItsBuffers) {
  auto exe = load(kTwoResults);
  ASSERT_TRUE(exe);
  auto a = allocate<float>(5), b = allocate<float>(5),
       small = allocate<float>(2);
  auto o0 = allocate<float>(5), o1 = allocate<float>(5);
  EXPECT_FALSE(exe->Execute({a.get()}, {o0.get(), o1.get()}).ok());
  EXPECT_FALSE(exe->Execute({a.get(), small.get()}, {o0.get(), o1.get()}).ok());
  EXPECT_FALSE(exe->Execute({a.get(), b.get()}, {o0.get(), o0.get()}).ok());
  EXPECT_FALSE(exe->Execute({a.get(), b.get()}, {a.get(), o1.get()}).ok());
  EXPECT_FALSE(exe->Execute({a.get(), nullptr}, {o0.get(), o1.get()}).ok());
  EXPECT_TRUE(exe->Execute({a.get(), b.get()}, {o0.get(), o1.get()}).ok());
}

TEST_F(CpuPipelineTest, OptionsAndRepeatedCompiles) {
  mlir::ltc::CpuCompileOptions options;
  options.entrySymbol = "my_entry";
  options.dumpIR = true;
  options.optLevel = 3;
  std::string error;
  // Compiling twice in one context re-registers nothing twice.
  for (int i = 0; i < 2; ++i) {
    auto compiled = compile(kZeroD, error, options);
    ASSERT_TRUE(mlir::succeeded(compiled)) << error;
    EXPECT_EQ(compiled->entrySymbol, "my_entry");
    EXPECT_NE(compiled->llvmIR.find("define void @my_entry(ptr"),
              std::string::npos)
        << compiled->llvmIR;
    EXPECT_GE(compiled->loweringMs, 0.0);
    EXPECT_GT(compiled->llvmMs + compiled->codegenMs, 0.0);
  }
}

constexpr const char *kAddRows = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @graph(%a: tensor<8x256xf32>, %b: tensor<8x256xf32>) -> tensor<8x256xf32> {
  %e = tensor.empty() : tensor<8x256xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<8x256xf32>, tensor<8x256xf32>) outs(%e : tensor<8x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8x256xf32>
  return %0 : tensor<8x256xf32>
}
)mlir";

// How many times `what` appears in `text`.
size_t Occurrences(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1))
    ++n;
  return n;
}

// At the default level LLVM vectorizes loops but does not unroll them: full
// unrolling of every loop with a known trip count made graphs several times
// larger and slower to compile for no measurable speed.
TEST_F(CpuPipelineTest, LoopsAreVectorizedButNotUnrolled) {
  mlir::ltc::CpuCompileOptions options;
  options.dumpIR = true;
  std::string error;
  auto compiled = compile(kAddRows, error, options);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  size_t atLevel2 = Occurrences(compiled->llvmIR, "fadd <");
  EXPECT_GE(atLevel2, 1u) << compiled->llvmIR;
  EXPECT_LE(atLevel2, 8u) << compiled->llvmIR;

  options.optLevel = 3;
  compiled = compile(kAddRows, error, options);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  EXPECT_GT(Occurrences(compiled->llvmIR, "fadd <"), atLevel2)
      << compiled->llvmIR;

  auto exe = load(kAddRows);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(8 * 256, -3.0f, 0.25f);
  std::vector<float> b = iota(8 * 256, 1.0f, -0.5f);
  auto ba = upload(a), bb = upload(b);
  auto out = allocate<float>(8 * 256);
  ASSERT_TRUE(exe->Execute({ba.get(), bb.get()}, {out.get()}).ok());
  std::vector<float> result = download<float>(*out);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(result[i], a[i] + b[i]) << i;
}

constexpr const char *kGeluTanh = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @graph(%a: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<64x1024xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<64x1024xf32>) outs(%e : tensor<64x1024xf32>) {
  ^bb0(%x: f32, %o: f32):
    %erf = math.erf %x : f32
    %p = arith.addf %erf, %one : f32
    %h = arith.mulf %x, %half : f32
    %g = arith.mulf %h, %p : f32
    %t = math.tanh %g : f32
    linalg.yield %t : f32
  } -> tensor<64x1024xf32>
  return %0 : tensor<64x1024xf32>
}
)mlir";

// A loop whose body is a long chain (erf, tanh) runs 4 vector iterations at a
// time, so that their latencies overlap (LLVM alone picks 1); on AVX-512
// hosts its vectors are 512 bits wide.
TEST_F(CpuPipelineTest, LongLoopsAreInterleaved) {
  mlir::ltc::CpuCompileOptions options;
  options.dumpIR = true;
  std::string error;
  auto compiled = compile(kGeluTanh, error, options);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  // One chain has ~15 vector FMAs (erf's two polynomials, tanh's two).
  EXPECT_GE(Occurrences(compiled->llvmIR, "@llvm.fma.v"), 48u)
      << compiled->llvmIR;
  if (llvm::sys::getHostCPUFeatures().lookup("avx512f"))
    EXPECT_GE(Occurrences(compiled->llvmIR, "<16 x float>"), 1u)
        << compiled->llvmIR;

  auto exe = load(kGeluTanh);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(64 * 1024, -6.0f, 12.0f / (64 * 1024));
  auto ba = upload(a);
  auto out = allocate<float>(64 * 1024);
  ASSERT_TRUE(exe->Execute({ba.get()}, {out.get()}).ok());
  std::vector<float> result = download<float>(*out);
  for (size_t i = 0; i < a.size(); ++i) {
    double x = a[i];
    double expected = std::tanh(0.5 * x * (1.0 + std::erf(x)));
    EXPECT_NEAR(result[i], expected, 4e-6) << x;
  }
}

constexpr const char *kMatmulThenRelu = R"mlir(
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @graph(%a: tensor<256x24xf32>, %b: tensor<24x1568xf32>) -> tensor<256x8x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x1568xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<256x1568xf32>) -> tensor<256x1568xf32>
  %m = linalg.matmul ins(%a, %b : tensor<256x24xf32>, tensor<24x1568xf32>)
                     outs(%f : tensor<256x1568xf32>) -> tensor<256x1568xf32>
  %planes = tensor.expand_shape %m [[0], [1, 2, 3]] output_shape [256, 8, 14, 14]
      : tensor<256x1568xf32> into tensor<256x8x14x14xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%planes : tensor<256x8x14x14xf32>) outs(%planes : tensor<256x8x14x14xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  } -> tensor<256x8x14x14xf32>
  return %1 : tensor<256x8x14x14xf32>
}
)mlir";

// An op bufferization runs in place (the ReLU, on the product's buffer) over
// 14x14 planes, large enough to run in tiles on the runtime's threads: its
// planes run as one loop, which loads and stores through one pointer, so
// LLVM vectorizes it without a runtime alias check (whose scalar fallback
// equal pointers would always take).
TEST_F(CpuPipelineTest, InPlaceOpsVectorizeWithoutAliasChecks) {
  mlir::ltc::CpuCompileOptions options;
  options.dumpIR = true;
  std::string error;
  auto compiled = compile(kMatmulThenRelu, error, options);
  ASSERT_TRUE(mlir::succeeded(compiled)) << error;
  EXPECT_NE(compiled->llvmIR.find("_parallel_"), std::string::npos)
      << compiled->llvmIR;
  // 8 lanes, or 16 on AVX-512 hosts.
  EXPECT_TRUE(compiled->llvmIR.find("<8 x float>") != std::string::npos ||
              compiled->llvmIR.find("<16 x float>") != std::string::npos)
      << compiled->llvmIR;
  EXPECT_EQ(compiled->llvmIR.find("diff.check"), std::string::npos)
      << compiled->llvmIR;
  EXPECT_EQ(compiled->llvmIR.find("vector.memcheck"), std::string::npos)
      << compiled->llvmIR;

  auto exe = load(kMatmulThenRelu);
  ASSERT_TRUE(exe);
  std::vector<float> a = iota(256 * 24, -1.0f, 0.0003f);
  std::vector<float> b = iota(24 * 1568, 0.5f, -0.0001f);
  auto ba = upload(a), bb = upload(b);
  auto out = allocate<float>(256 * 1568);
  ASSERT_TRUE(exe->Execute({ba.get(), bb.get()}, {out.get()}).ok());
  std::vector<float> result = download<float>(*out);
  for (int i = 0; i < 256; i += 5)
    for (int j = 0; j < 1568; j += 3) {
      double sum = 0;
      for (int k = 0; k < 24; ++k)
        sum += double(a[i * 24 + k]) * b[k * 1568 + j];
      ASSERT_NEAR(result[i * 1568 + j], std::max(sum, 0.0), 1e-4) << i << j;
    }
}

TEST_F(CpuPipelineTest, ExecutablesRunConcurrently) {
  auto add = load(kTwoResults);
  auto mm = load(kMatmul);
  ASSERT_TRUE(add && mm);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (t % 2 == 0) {
          auto a = upload(std::vector<float>{1, 2, 3, 4, 5});
          auto s = allocate<float>(5), p = allocate<float>(5);
          if (!add->Execute({a.get(), a.get()}, {s.get(), p.get()}).ok() ||
              download<float>(*p) != std::vector<float>{1, 4, 9, 16, 25})
            ++failures;
        } else {
          auto a = upload(std::vector<float>(37 * 70, 1.0f));
          auto b = upload(std::vector<float>(70 * 45, 2.0f));
          auto o = allocate<float>(37 * 45);
          if (!mm->Execute({a.get(), b.get()}, {o.get()}).ok() ||
              download<float>(*o) != std::vector<float>(37 * 45, 140.0f))
            ++failures;
        }
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// A chain of `steps` large elementwise ops, each with its own constant
// (x -> tanh(x) / 2 + c: errors shrink along the chain): the loop, fused or
// not, is outlined for the thread pool, and the approximated tanh makes enough
// instructions for the module to be compiled in parts.
std::string longElementwiseChain(int steps) {
  std::string text = "#map = affine_map<(d0, d1) -> (d0, d1)>\n"
                     "func.func @graph(%a: tensor<256x256xf32>) -> "
                     "tensor<256x256xf32> {\n"
                     "  %e = tensor.empty() : tensor<256x256xf32>\n";
  std::string last = "%a";
  for (int i = 0; i < steps; ++i) {
    std::string next = "%t" + std::to_string(i);
    text += "  " + next +
            " = linalg.generic {indexing_maps = [#map, #map], "
            "iterator_types = [\"parallel\", \"parallel\"]} ins(" +
            last +
            " : tensor<256x256xf32>) outs(%e : tensor<256x256xf32>) {\n"
            "  ^bb0(%x: f32, %o: f32):\n"
            "    %h = arith.constant 0.5 : f32\n"
            "    %c = arith.constant " +
            std::to_string(i + 1) +
            ".0e-3 : f32\n"
            "    %s = math.tanh %x : f32\n"
            "    %m = arith.mulf %s, %h : f32\n"
            "    %r = arith.addf %m, %c : f32\n"
            "    linalg.yield %r : f32\n"
            "  } -> tensor<256x256xf32>\n";
    last = next;
  }
  text += "  return " + last + " : tensor<256x256xf32>\n}\n";
  return text;
}

TEST_F(CpuPipelineTest, LargeModuleCompilesInPartsThatLinkTogether) {
  std::string source = longElementwiseChain(64);
  std::vector<float> input = iota(256 * 256, -1.0f, 1.0f / 32768);
  std::vector<float> want = input;
  for (int i = 0; i < 64; ++i)
    for (float &x : want)
      x = std::tanh(x) * 0.5f + static_cast<float>(i + 1) * 1e-3f;
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    mlir::ltc::CpuCompileOptions options;
    options.codegenThreads = threads;
    std::string error;
    auto compiled = compile(source.c_str(), error, options);
    ASSERT_TRUE(mlir::succeeded(compiled)) << error;
    EXPECT_EQ(compiled->codegenParts, static_cast<unsigned>(threads));
    EXPECT_EQ(compiled->objectCode.rfind("!<arch>\n", 0) == 0, threads > 1);
    ObjectCode object{compiled->objectCode, compiled->entrySymbol,
                      compiled->inputBytes, compiled->outputBytes};
    auto executable = GetCpuDevice().Load(object);
    ASSERT_TRUE(executable.ok()) << executable.status();
    auto a = upload(input);
    auto out = allocate<float>(256 * 256);
    ASSERT_TRUE((*executable)->Execute({a.get()}, {out.get()}).ok());
    std::vector<float> got = download<float>(*out);
    for (size_t i = 0; i < got.size(); i += 97)
      ASSERT_NEAR(got[i], want[i], 1e-4f) << i;
  }
}

TEST_F(CpuPipelineTest, ArchiveWithABadMemberFailsToLoad) {
  std::string archive = "!<arch>\npart0.o/        0           0     0     644  "
                        "   4         `\njunk";
  ObjectCode object{archive, "ltc_graph_entry", {}, {}};
  auto executable = GetCpuDevice().Load(object);
  ASSERT_FALSE(executable.ok());
  EXPECT_NE(
      std::string(executable.status().message()).find("not a loadable object"),
      std::string::npos)
      << executable.status();
}

} // namespace
