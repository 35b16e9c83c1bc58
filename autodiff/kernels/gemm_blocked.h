// The fast gemm: operand packing, cache blocking and a register-tiled micro-kernel,
// written once with xsimd batches and compiled once per instruction set
// (kernels/isa_<name>.cpp). Not installed: only the ISA translation units include it.
//
// Legend: C[M,N] = alpha * op(A)[M,K] op(B)[K,N] + beta * C, row-major.
//   W   floats in one SIMD batch (4 SSE2/NEON, 8 AVX2, 16 AVX-512)
//   MR  rows of C one micro-kernel call computes; NR = NV * W its columns
//   KC  the slice of K packed at once: a B sliver (KC x NR) stays in L1
//   MC  rows of A packed at once: the A block (MC x KC) stays in L2
//   NC  columns of B packed at once: the B panel (KC x NC) stays in L3
//
// Loops, outermost first: jc over NC panels, pc over KC slices (pack B), ic over MC
// blocks (pack A), then every (NR sliver, MR sliver) tile is one micro-kernel call.
// On the last KC slice the micro-kernel also adds the bias and applies the activation
// of a fused linear layer while the tile is still in registers (the epilogue).
// Threads share the packing and split the tiles. Each element of C is summed by one
// thread in an order fixed by KC alone, so results are bit-identical for any number of
// threads.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/activation_impl.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/vector_math_impl.h"

namespace aevb::kernels {
namespace {  // internal linkage: each ISA translation unit has its own copy

// a * b + c in one rounding. xsimd 8.1 has no fma for avx512f: its generic fallback
// is a multiply and an add, twice the instructions in the micro-kernel's loop (the
// AVX-512 gemm ran at 43% of the FMA peak) and a second rounding.
template <class Arch>
xsimd::batch<float, Arch> multiply_add(xsimd::batch<float, Arch> a, xsimd::batch<float, Arch> b,
                                       xsimd::batch<float, Arch> c) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<Arch, xsimd::avx512f>) return _mm512_fmadd_ps(a, b, c);
#endif
  return xsimd::fma(a, b, c);
}

template <class Arch>
struct BlockedGemm {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);
  static constexpr int NV = 2;
  static constexpr int NR = NV * W;
  // Accumulators MR x NV plus NV loads of B and one broadcast of A fit the register
  // file: 32 registers with AVX-512, 16 otherwise.
  static constexpr int MR = W == 16 ? 12 : 6;
  static constexpr int64_t kReadBInPlaceRows = 256;

  // What the last KC slice applies before it stores: C = f(C + bias), bias[j] for
  // the tile's column j (bias null: none).
  struct Epilogue {
    const float* bias;
    Activation activation;
  };

  // The [MR, NV] block of C += A sliver * B sliver, over kc steps, held in registers.
  // `rows` <= MR and `nv` <= NV are compile-time so that edge tiles run the same code
  // with fewer registers instead of a scalar loop. `Finish`: this is the last slice
  // and `epilogue` applies; a separate instantiation, so that plain products run the
  // same code as before the epilogue existed.
  template <int Rows, int Nv, bool Finish>
  static void micro_kernel(int64_t kc, const float* a_packed, const float* b_sliver, int64_t ldb, float* c,
                           int64_t ldc, int cols, float alpha, float beta, const Epilogue* epilogue) {
    Batch acc[Rows][Nv];
    for (int r = 0; r < Rows; ++r)
      for (int v = 0; v < Nv; ++v) acc[r][v] = Batch(0.0f);
#pragma GCC unroll 4
    for (int64_t p = 0; p < kc; ++p) {
      Batch b[Nv];
      for (int v = 0; v < Nv; ++v) b[v] = Batch::load_unaligned(b_sliver + p * ldb + v * W);
      const float* a = a_packed + p * MR;
      for (int r = 0; r < Rows; ++r) {
        const Batch a_r(a[r]);
        for (int v = 0; v < Nv; ++v) acc[r][v] = multiply_add<Arch>(a_r, b[v], acc[r][v]);
      }
    }
    if (cols == Nv * W) {
      // The epilogue's fields are read once: stores to C could alias them.
      const float* bias = Finish ? epilogue->bias : nullptr;
      auto store = [&]<class F>() {
        const Batch alpha_v(alpha), beta_v(beta);
        for (int r = 0; r < Rows; ++r)
          for (int v = 0; v < Nv; ++v) {
            float* out = c + r * ldc + v * W;
            Batch value = alpha_v * acc[r][v];
            // beta = 0 must not read C: it may hold NaN
            if (beta != 0.0f) value = multiply_add<Arch>(beta_v, Batch::load_unaligned(out), value);
            if constexpr (Finish) {
              if (bias != nullptr) value = value + Batch::load_unaligned(bias + v * W);
              value = F::forward(value);
            }
            value.store_unaligned(out);
          }
      };
      if constexpr (Finish)
        with_activation(epilogue->activation, store);
      else
        store.template operator()<Identity>();
      return;
    }
    // An edge tile: the accumulators go to memory, and a separate (not inlined)
    // function stores the first `cols` columns, keeping the hot function small.
    alignas(64) float tile[Rows * Nv * W];
    for (int r = 0; r < Rows; ++r)
      for (int v = 0; v < Nv; ++v) acc[r][v].store_aligned(tile + (r * Nv + v) * W);
    store_edge_tile<Finish>(tile, Rows, Nv, c, ldc, cols, alpha, beta, epilogue);
  }

  // The same arithmetic as the full tile's store, on batches padded past `cols`.
  template <bool Finish>
  [[gnu::noinline]] static void store_edge_tile(const float* tile, int rows, int nv, float* c, int64_t ldc, int cols,
                                                float alpha, float beta, const Epilogue* epilogue) {
    const Batch alpha_v(alpha), beta_v(beta);
    const float* bias = Finish ? epilogue->bias : nullptr;
    auto store = [&]<class F>() {
      for (int r = 0; r < rows; ++r)
        for (int v = 0; v < nv && v * W < cols; ++v) {
          float* out = c + r * ldc + v * W;
          const int valid = std::min(W, cols - v * W);
          Batch value = alpha_v * Batch::load_aligned(tile + (r * nv + v) * W);
          if (beta != 0.0f) value = multiply_add<Arch>(beta_v, load_padded<Batch>(out, valid, 0.0f), value);
          if constexpr (Finish) {
            if (bias != nullptr) value = value + load_padded<Batch>(bias + v * W, valid, 0.0f);
            value = F::forward(value);
          }
          store_partial(out, value, valid);
        }
    };
    if constexpr (Finish)
      with_activation(epilogue->activation, store);
    else
      store.template operator()<Identity>();
  }

  using MicroKernel = void (*)(int64_t, const float*, const float*, int64_t, float*, int64_t, int, float, float,
                               const Epilogue*);

  // kernels[finish][rows - 1][nv - 1]
  template <bool Finish, std::size_t... R>
  static constexpr auto make_table(std::index_sequence<R...>) {
    return std::array<std::array<MicroKernel, NV>, MR>{
        {{&micro_kernel<R + 1, 1, Finish>, &micro_kernel<R + 1, NV, Finish>}...}};
  }
  static constexpr std::array<std::array<std::array<MicroKernel, NV>, MR>, 2> kernels = {
      make_table<false>(std::make_index_sequence<MR>{}), make_table<true>(std::make_index_sequence<MR>{})};

  // packed[p * MR + r] = op(A)[i0 + r, p0 + p] for r < rows
  static void pack_a(float* packed, const float* a, int64_t m, int64_t k, bool transpose_a, int64_t i0, int rows,
                     int64_t p0, int64_t kc) {
    if (transpose_a) {  // A stored [K, M]: each p is a contiguous run of rows
      for (int64_t p = 0; p < kc; ++p) {
        const float* source = a + (p0 + p) * m + i0;
        float* dest = packed + p * MR;
        for (int r = 0; r < rows; ++r) dest[r] = source[r];
        for (int r = rows; r < MR; ++r) dest[r] = 0.0f;
      }
      return;
    }
    // A stored [M, K]: strided reads, each row read along itself (one prefetch stream
    // per row), and contiguous writes
    const float* source = a + i0 * k + p0;
    for (int64_t p = 0; p < kc; ++p) {
      float* dest = packed + p * MR;
      for (int r = 0; r < rows; ++r) dest[r] = source[r * k + p];
      for (int r = rows; r < MR; ++r) dest[r] = 0.0f;
    }
  }

  // packed[p * NR + j] = op(B)[p0 + p, j0 + j] for j < cols, 0 beyond
  static void pack_b(float* packed, const float* b, int64_t n, int64_t k, bool transpose_b, int64_t j0, int cols,
                     int64_t p0, int64_t kc) {
    if (!transpose_b) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* source = b + (p0 + p) * n + j0;
        float* dest = packed + p * NR;
        for (int j = 0; j < cols; ++j) dest[j] = source[j];
        for (int j = cols; j < NR; ++j) dest[j] = 0.0f;
      }
      return;
    }
    // B stored [N, K]: as for A above, strided reads and contiguous writes
    const float* source = b + j0 * k + p0;
    for (int64_t p = 0; p < kc; ++p) {
      float* dest = packed + p * NR;
      for (int j = 0; j < cols; ++j) dest[j] = source[j * k + p];
      for (int j = cols; j < NR; ++j) dest[j] = 0.0f;
    }
  }

  // The body every thread of a team runs; its `omp for` loops are orphaned, so with no
  // team it runs alone. `a_packed` holds MC x KC, `b_packed` KC x NC (rounded up to NR).
  static void run(const GemmProblem& g, const GemmBlocking& blocking, float* a_packed, float* b_packed) {
    const int64_t m = g.m, n = g.n, k = g.k;
    const int64_t kc_max = blocking.kc, mc_max = blocking.mc, nc_max = blocking.nc;
    // With few rows, packing B costs more than it saves: each B sliver serves only
    // m / MR tiles. B's rows then feed the micro-kernel from where they lie (full
    // slivers; the last, narrower one is still packed, zero-padded).
    const bool read_b_in_place = !g.transpose_b && m <= kReadBInPlaceRows;
    for (int64_t jc = 0; jc < n; jc += nc_max) {
      const int64_t nc = std::min(nc_max, n - jc);
      const int64_t n_slivers = (nc + NR - 1) / NR;
      for (int64_t pc = 0; pc < k; pc += kc_max) {
        const int64_t kc = std::min(kc_max, k - pc);
        const float beta = pc == 0 ? g.beta : 1.0f;  // later slices add to the first
        const bool last_slice = pc + kc == k;
        const bool has_epilogue = g.bias != nullptr || g.activation != Activation::identity;
#pragma omp for schedule(static)
        for (int64_t s = 0; s < n_slivers; ++s)
          if (!read_b_in_place || nc - s * NR < NR)
            pack_b(b_packed + s * kc * NR, g.b, n, k, g.transpose_b, jc + s * NR,
                 static_cast<int>(std::min<int64_t>(NR, nc - s * NR)), pc, kc);
        for (int64_t ic = 0; ic < m; ic += mc_max) {
          const int64_t mc = std::min(mc_max, m - ic);
          const int64_t m_slivers = (mc + MR - 1) / MR;
#pragma omp for schedule(static)
          for (int64_t t = 0; t < m_slivers; ++t)
            pack_a(a_packed + t * kc * MR, g.a, m, k, g.transpose_a, ic + t * MR,
                   static_cast<int>(std::min<int64_t>(MR, mc - t * MR)), pc, kc);
#pragma omp for schedule(static)
          for (int64_t tile = 0; tile < n_slivers * m_slivers; ++tile) {
            const int64_t s = tile / m_slivers, t = tile % m_slivers;
            const int rows = static_cast<int>(std::min<int64_t>(MR, mc - t * MR));
            const int cols = static_cast<int>(std::min<int64_t>(NR, nc - s * NR));
            float* c = g.c + (ic + t * MR) * n + jc + s * NR;
            const bool in_place = read_b_in_place && cols == NR;
            const float* b_sliver = in_place ? g.b + pc * n + jc + s * NR : b_packed + s * kc * NR;
            const Epilogue epilogue{g.bias != nullptr ? g.bias + jc + s * NR : nullptr, g.activation};
            kernels[last_slice && has_epilogue][rows - 1][cols <= W ? 0 : NV - 1](
                kc, a_packed + t * kc * MR, b_sliver, in_place ? n : NR, c, n, cols, g.alpha, beta, &epilogue);
          }
        }
      }
    }
  }
};

}  // namespace
}  // namespace aevb::kernels
