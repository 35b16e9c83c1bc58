// General matrix multiply, single precision, row-major:
//   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
// op(A) = A (stored [M,K]) or A^T (stored [K,M]); likewise B. A transpose is read in
// place, never materialized. beta = 0 overwrites C (and ignores what was in it, NaN
// included); beta = 1 accumulates, as backward needs.
//
// gemm runs the packed, register-tiled kernel of the active instruction set
// (kernels/isa.h, kernels/gemm_blocked.h); gemm_reference is its readable scalar twin,
// the one tests and benchmarks compare against.
#pragma once

#include <cstdint>

#include "autodiff/kernels/activation.h"

namespace aevb::kernels {

void gemm(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
          bool transpose_b, float alpha, float beta);
void gemm_reference(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
                    bool transpose_b, float alpha, float beta);

// The two forms the ops use, with the transposes named at the call:
//   gemm_store(c, a, b, m, n, k, {.b = true})       C = op(A) op(B)   (alpha 1, beta 0)
//   gemm_accumulate(c, a, b, m, n, k, {.a = true})  C += op(A) op(B)  (alpha 1, beta 1: backward)
//   gemm_into(c, accumulate, a, b, m, n, k)          one or the other, chosen as it runs (backward:
//                                                    a gradient's first contribution stores)
struct Transposed {
  bool a = false;  // A stored [K,M], read as A^T
  bool b = false;  // B stored [N,K], read as B^T
};
inline void gemm_store(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k,
                       Transposed transposed = {}) {
  gemm(c, a, b, m, n, k, transposed.a, transposed.b, 1.0f, 0.0f);
}
inline void gemm_accumulate(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k,
                            Transposed transposed = {}) {
  gemm(c, a, b, m, n, k, transposed.a, transposed.b, 1.0f, 1.0f);
}
inline void gemm_into(float* c, bool accumulate, const float* a, const float* b, int64_t m, int64_t n, int64_t k,
                      Transposed transposed = {}) {
  gemm(c, a, b, m, n, k, transposed.a, transposed.b, 1.0f, accumulate ? 1.0f : 0.0f);
}

// A fused linear layer's forward: y[N,O] = f(x[N,I] w[I,O] + bias[O]) in one pass over
// y, the bias added and f applied in the gemm's store while each tile is in registers
// (bias null: none). The reference: gemm_reference, then bias_activation_reference.
void linear_forward(float* y, const float* x, const float* w, const float* bias, int64_t batch, int64_t inputs,
                    int64_t outputs, Activation activation);
void linear_forward_reference(float* y, const float* x, const float* w, const float* bias, int64_t batch,
                              int64_t inputs, int64_t outputs, Activation activation);

// Products with at least this many multiply-adds split across threads. A fork-join
// costs about 1 microsecond while OpenMP's threads spin and 70-85 once they sleep, so
// the VAE's 20-wide products ([128x400]x[400x20], 1M) stay on one thread, where the
// fork-join would be a large share of their 10-60 microseconds; its 400x784 ones (40M)
// split, 1.8-1.9x faster on 2 threads (bench/README.md).
inline constexpr int64_t kGemmThreadingThreshold = int64_t{4} << 20;

// The number of threads kernels use: OMP_NUM_THREADS, or all cores, by default.
// Results do not depend on it. Inside an OpenMP parallel region kernels stay on the
// calling thread, so they never oversubscribe the cores.
void set_thread_count(int threads);
int thread_count();

}  // namespace aevb::kernels
