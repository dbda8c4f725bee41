// Winograd F(2x2, 3x3) convolution. See winograd_conv.h.
//
// With g a 3x3 filter, d a 4x4 input tile and Y its 2x2 output block,
//   Y = A^T [ (G g G^T) .* (B^T d B) ] A,
// where .* multiplies elementwise, and
//   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
//   A^T = [1 1 1 0; 0 1 -1 -1].
// Summed over input channels, each of the 16 elementwise products is a GEMM:
// U[xi] (F x C, transformed filters) times V[xi] (C x tiles, transformed
// input tiles).
#include "runtime/winograd_conv.h"

#include "runtime/graph_allocator.h"
#include "runtime/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

// The transforms' loops are compiled for AVX2 too when the compiler can; the
// library itself targets baseline x86-64 (SSE2), and GCC's function
// multiversioning picks the AVX2 clone at load time on CPUs that have it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LTC_MLIR_VECTOR_TARGET __attribute__((target_clones("avx2", "default")))
#else
#define LTC_MLIR_VECTOR_TARGET
#endif

namespace ltc_mlir {
namespace runtime {
namespace {

// Tiles per chunk of the batch (see WinogradConv3x3): measured at 1 and 2
// threads on ResNet-18's shapes, 256 beat 64 and 128 by up to 10%.
constexpr int64_t kMinChunkTiles = 256;

std::atomic<int64_t> conv_count{0};

// Lanes the transforms work on at once: small local arrays of this width
// cannot alias the buffers, so the compiler vectorizes the lane loops.
constexpr int64_t kLanes = 8;

// Filter transform of one filter row: U[xi][c] = (G g_c G^T)[xi] for its C
// input channels, kLanes at a time; the 16 outputs go to planes `plane`
// apart.
LTC_MLIR_VECTOR_TARGET void TransformFilterRow(int64_t C, const float *row,
                                               float *u, int64_t plane) {
  for (int64_t c0 = 0; c0 < C; c0 += kLanes) {
    int64_t n = std::min(kLanes, C - c0);
    float g[9][kLanes] = {};
    for (int64_t l = 0; l < n; ++l)
      for (int k = 0; k < 9; ++k)
        g[k][l] = row[(c0 + l) * 9 + k];
    // G g (4 x 3), then (G g) G^T (4 x 4).
    float t[4][3][kLanes], o[16][kLanes];
    for (int j = 0; j < 3; ++j)
      for (int64_t l = 0; l < kLanes; ++l) {
        float g0 = g[j][l], g1 = g[3 + j][l], g2 = g[6 + j][l];
        t[0][j][l] = g0;
        t[1][j][l] = 0.5f * (g0 + g1 + g2);
        t[2][j][l] = 0.5f * (g0 - g1 + g2);
        t[3][j][l] = g2;
      }
    for (int i = 0; i < 4; ++i)
      for (int64_t l = 0; l < kLanes; ++l) {
        float a = t[i][0][l], b = t[i][1][l], c = t[i][2][l];
        o[i * 4 + 0][l] = a;
        o[i * 4 + 1][l] = 0.5f * (a + b + c);
        o[i * 4 + 2][l] = 0.5f * (a - b + c);
        o[i * 4 + 3][l] = c;
      }
    // A constant-size copy is one vector store; a variable one a libc call.
    if (n == kLanes) {
      for (int xi = 0; xi < 16; ++xi)
        std::memcpy(u + xi * plane + c0, o[xi], sizeof(o[xi]));
    } else {
      for (int xi = 0; xi < 16; ++xi)
        std::memcpy(u + xi * plane + c0, o[xi], n * sizeof(float));
    }
  }
}

// Filter transform: U[xi][f][c] = (G g G^T)[xi] for each (f, c).
void TransformFilters(int threads, int64_t F, int64_t C, const float *w,
                      int64_t w_sf, float *u) {
  ParallelFor(F, threads, threads, [&](int64_t f0, int64_t f1) {
    for (int64_t f = f0; f < f1; ++f)
      TransformFilterRow(C, w + f * w_sf, u + f * C, F * C);
  });
}

// t = B^T d for a tile row: t[0] = d0 - d2, t[1] = d1 + d2, t[2] = d2 - d1,
// t[3] = d1 - d3, elementwise along `width` columns.
LTC_MLIR_VECTOR_TARGET void TransformInputRows(int64_t width, float *const r[4],
                                               float *const t[4]) {
  const float *__restrict d0 = r[0], *__restrict d1 = r[1],
                          *__restrict d2 = r[2], *__restrict d3 = r[3];
  float *__restrict t0 = t[0], *__restrict t1 = t[1], *__restrict t2 = t[2],
                    *__restrict t3 = t[3];
  for (int64_t x = 0; x < width; ++x) {
    t0[x] = d0[x] - d2[x];
    t1[x] = d1[x] + d2[x];
    t2[x] = d2[x] - d1[x];
    t3[x] = d1[x] - d3[x];
  }
}

// (B^T d) B for one row of t: tile tw's 4 values from columns 2tw..2tw+3,
// written to 4 planes `plane` apart.
LTC_MLIR_VECTOR_TARGET void TransformInputColumns(int64_t tiles,
                                                  const float *__restrict ti,
                                                  float *dst, int64_t plane) {
  float *__restrict v0 = dst, *__restrict v1 = dst + plane,
                    *__restrict v2 = dst + 2 * plane,
                    *__restrict v3 = dst + 3 * plane;
  for (int64_t tw = 0; tw < tiles; ++tw) {
    float a = ti[2 * tw], b = ti[2 * tw + 1], c = ti[2 * tw + 2],
          d = ti[2 * tw + 3];
    v0[tw] = a - c;
    v1[tw] = b + c;
    v2[tw] = c - b;
    v3[tw] = b - d;
  }
}

// A^T m A for a row of `tiles` tiles whose 16 products lie `plane` apart:
// y[0], y[1] are the top row's left and right outputs, y[2], y[3] the
// bottom row's. `scratch` holds 8 * tiles floats.
LTC_MLIR_VECTOR_TARGET void TransformOutputRow(int64_t tiles, const float *src,
                                               int64_t plane, float *scratch,
                                               float *const y[4]) {
  for (int j = 0; j < 4; ++j) {
    const float *__restrict m0 = src + j * plane,
                            *__restrict m1 = src + (4 + j) * plane,
                            *__restrict m2 = src + (8 + j) * plane,
                            *__restrict m3 = src + (12 + j) * plane;
    float *__restrict p0 = scratch + j * tiles, *__restrict p1 =
                                                    scratch + (4 + j) * tiles;
    for (int64_t tw = 0; tw < tiles; ++tw) {
      p0[tw] = m0[tw] + m1[tw] + m2[tw];
      p1[tw] = m1[tw] - m2[tw] - m3[tw];
    }
  }
  for (int r = 0; r < 2; ++r) {
    const float *__restrict a0 = scratch + (4 * r) * tiles,
                            *__restrict a1 = a0 + tiles,
                            *__restrict a2 = a1 + tiles,
                            *__restrict a3 = a2 + tiles;
    float *__restrict left = y[2 * r], *__restrict right = y[2 * r + 1];
    for (int64_t tw = 0; tw < tiles; ++tw) {
      left[tw] = a0[tw] + a1[tw] + a2[tw];
      right[tw] = a1[tw] - a2[tw] - a3[tw];
    }
  }
}

// row[2tw] (+)= left[tw], row[2tw + 1] (+)= right[tw], up to `width`
// columns: added when `accumulate`, else written (each output belongs to
// exactly one tile, so the output's old contents are then never read).
LTC_MLIR_VECTOR_TARGET void
StoreOutputRow(bool accumulate, int64_t tiles, int64_t width,
               const float *__restrict left, const float *__restrict right,
               float *__restrict row, int64_t stride) {
  int64_t full = width / 2;
  if (!accumulate) {
    for (int64_t tw = 0; tw < full; ++tw) {
      row[2 * tw * stride] = left[tw];
      row[(2 * tw + 1) * stride] = right[tw];
    }
    if (full < tiles)
      row[2 * full * stride] = left[full];
    return;
  }
  if (stride == 1) {
    for (int64_t tw = 0; tw < full; ++tw) {
      row[2 * tw] += left[tw];
      row[2 * tw + 1] += right[tw];
    }
  } else {
    for (int64_t tw = 0; tw < full; ++tw) {
      row[2 * tw * stride] += left[tw];
      row[(2 * tw + 1) * stride] += right[tw];
    }
  }
  if (full < tiles)
    row[2 * full * stride] += left[full];
}

} // namespace

int64_t WinogradConvCount() {
  return conv_count.load(std::memory_order_relaxed);
}

bool UseWinogradConv3x3(int64_t N, int64_t C, int64_t F, int64_t OH,
                        int64_t OW) {
  static const bool enabled = [] {
    const char *value = std::getenv("LTC_MLIR_WINOGRAD");
    return value == nullptr || value[0] != '0';
  }();
  // Measured against im2col (one thread): few channels make short GEMMs
  // that the transforms outweigh (N=32, C=16 or 32, 14x14: 1.5-2x slower);
  // few tiles make thin GEMMs and leave the filter transform unamortized
  // (N=2, C=F=512, 7x7: 1.7x slower). ResNet-18's stride-1 3x3 convolutions
  // of its first three stages gain.
  int64_t tiles = N * ((OH + 1) / 2) * ((OW + 1) / 2);
  return enabled && C >= 64 && F >= 64 && tiles >= 64;
}

bool WinogradConv3x3(int threads, DenseGemmFn gemm, int64_t N, int64_t C,
                     int64_t H, int64_t W, int64_t F, int64_t OH, int64_t OW,
                     int64_t ph, int64_t pw, const float *in, int64_t in_s0,
                     int64_t in_s1, int64_t in_s2, const float *w, int64_t w_sf,
                     float *out, int64_t out_s0, int64_t out_s1, int64_t out_s2,
                     int64_t out_s3, bool accumulate) {
  if (N <= 0 || C <= 0 || F <= 0 || OH <= 0 || OW <= 0 || H <= 0 || W <= 0 ||
      ph < 0 || pw < 0)
    return false;
  const int64_t TH = (OH + 1) / 2, TW = (OW + 1) / 2;
  // A tile row spans Wp padded columns: pw zeros, then the input's columns
  // (as many as fit), then zeros. Rows outside the input, and the last tile
  // row/column's reach past the padded input, read as zeros too; outputs
  // beyond OH/OW are dropped.
  const int64_t Wp = 2 * TW + 2;
  const int64_t lead = std::min(pw, Wp), copy = std::min(W, Wp - lead);

  // The tiles are processed in chunks of whole tile rows (consecutive rows
  // of the batch's images, TW tiles each), and each share of the threads
  // takes whole chunks through the input transform, the 16 GEMMs and the
  // output transform: a chunk's transformed tiles and products stay in
  // cache between them, and the threads need no barrier between phases.
  // Measured on ResNet-18's 64- and 128-channel stages at 2 threads: 1.2 to
  // 1.5x faster than running each phase over all tiles with the threads
  // splitting it (same at 1 thread). A chunk has at least kMinChunkTiles
  // tiles (the GEMMs' width), and there are at least as many chunks as
  // threads.
  const int64_t tile_rows = N * TH;
  const int64_t workers = std::max(threads, 1);
  int64_t rows_per_chunk =
      std::clamp<int64_t>(std::min((kMinChunkTiles + TW - 1) / TW,
                                   (tile_rows + workers - 1) / workers),
                          1, tile_rows);
  const int64_t chunks = (tile_rows + rows_per_chunk - 1) / rows_per_chunk;
  // Chunks of even size: no thin last one.
  rows_per_chunk = (tile_rows + chunks - 1) / chunks;
  const int64_t shares = std::min(workers, chunks);
  const int64_t max_cols = rows_per_chunk * TW;

  // Work buffers come from the graph allocator's cache: the transformed
  // filters, and per share one chunk's transformed tiles and products.
  const int64_t v_size = 16 * C * max_cols, m_size = 16 * F * max_cols;
  ScratchFloats u_buf(static_cast<size_t>(16 * F * C));
  ScratchFloats v_buf(static_cast<size_t>(shares * v_size));
  ScratchFloats m_buf(static_cast<size_t>(shares * m_size));
  if (u_buf.data() == nullptr || v_buf.data() == nullptr ||
      m_buf.data() == nullptr)
    return false;
  conv_count.fetch_add(1, std::memory_order_relaxed);
  TransformFilters(threads, F, C, w, w_sf, u_buf.data());
  const float *u = u_buf.data();

  // One chunk: tile rows [r0, r1) of the batch.
  auto run_chunk = [&](int64_t r0, int64_t r1, float *v, float *m, float *rows,
                       float *scratch) {
    const int64_t cols = (r1 - r0) * TW;
    if (cols <= 0)
      return;
    float *r[4], *t[4];
    for (int i = 0; i < 4; ++i) {
      r[i] = rows + i * Wp;
      t[i] = rows + (4 + i) * Wp;
    }
    // Input transform: per channel and tile row, B^T d along the row, then
    // (B^T d) B along its tiles.
    for (int64_t c = 0; c < C; ++c)
      for (int64_t row = r0; row < r1; ++row) {
        int64_t img = row / TH, th = row % TH;
        const float *plane = in + img * in_s0 + c * in_s1;
        for (int i = 0; i < 4; ++i) {
          int64_t ih = 2 * th + i - ph;
          if (ih >= 0 && ih < H) {
            std::fill(r[i], r[i] + lead, 0.0f);
            std::memcpy(r[i] + lead, plane + ih * in_s2, copy * sizeof(float));
            std::fill(r[i] + lead + copy, r[i] + Wp, 0.0f);
          } else {
            std::fill(r[i], r[i] + Wp, 0.0f);
          }
        }
        TransformInputRows(Wp, r, t);
        float *dst = v + c * cols + (row - r0) * TW;
        for (int i = 0; i < 4; ++i)
          TransformInputColumns(TW, t[i], dst + i * 4 * C * cols, C * cols);
      }
    // The 16 products, each an F x C by C x cols GEMM.
    for (int64_t xi = 0; xi < 16; ++xi)
      gemm(F, cols, C, u + xi * F * C, C, v + xi * C * cols, cols,
           m + xi * F * cols, cols);
    // Output transform: per filter and tile row, A^T m, then (A^T m) A,
    // then the adds into the output rows.
    float *y[4];
    for (int k = 0; k < 4; ++k)
      y[k] = scratch + (8 + k) * TW;
    for (int64_t f = 0; f < F; ++f)
      for (int64_t row = r0; row < r1; ++row) {
        int64_t img = row / TH, th = row % TH;
        float *plane = out + img * out_s0 + f * out_s1;
        TransformOutputRow(TW, m + f * cols + (row - r0) * TW, F * cols,
                           scratch, y);
        for (int k = 0; k < 2 && 2 * th + k < OH; ++k)
          StoreOutputRow(accumulate, TW, OW, y[2 * k], y[2 * k + 1],
                         plane + (2 * th + k) * out_s2, out_s3);
      }
  };

  // Chunks split statically over the shares, each with its own buffers.
  ParallelFor(shares, threads, shares, [&](int64_t b, int64_t e) {
    std::vector<float> rows(static_cast<size_t>(8 * Wp), 0.0f);
    std::vector<float> scratch(static_cast<size_t>(12 * TW));
    for (int64_t share = b; share < e; ++share) {
      int64_t c0 = chunks * share / shares, c1 = chunks * (share + 1) / shares;
      for (int64_t chunk = c0; chunk < c1; ++chunk)
        run_chunk(chunk * rows_per_chunk,
                  std::min(tile_rows, (chunk + 1) * rows_per_chunk),
                  v_buf.data() + share * v_size, m_buf.data() + share * m_size,
                  rows.data(), scratch.data());
    }
  });
  return true;
}

} // namespace runtime
} // namespace ltc_mlir
