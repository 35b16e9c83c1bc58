// General matrix multiply, single precision, row-major:
//   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
// op(A) = A (stored [M,K]) or A^T (stored [K,M]); likewise B. beta = 0 overwrites C
// (and ignores what was in it, NaN included); beta = 1 accumulates, as backward needs.
#pragma once

#include <cstdint>

namespace aevb::kernels {

void gemm(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
          bool transpose_b, float alpha, float beta);

// The number of threads large products use: OMP_NUM_THREADS or all cores by default.
// Results do not depend on it.
void set_thread_count(int threads);
int thread_count();

}  // namespace aevb::kernels
