#include "autodiff/kernels/gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace aevb::kernels {

// Below this many multiply-adds a product stays on one thread: forking costs more than
// it saves (the VAE's 20-wide products, [128x400]x[400x20], are 1M).
constexpr int64_t kThreadingThreshold = int64_t{4} << 20;

// Reference loops, ordered so that the innermost loop runs over contiguous memory.
// Threads split the rows of C: each element is still summed by one thread in the same
// order, so the result is bit-identical for any thread count.
void gemm(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
          bool transpose_b, float alpha, float beta) {
  for (int64_t i = 0; i < m * n; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
  const bool threaded = m * n * k >= kThreadingThreshold;
  if (!transpose_b) {
    // C[i,:] += alpha * opA[i,p] * B[p,:]
#pragma omp parallel for schedule(static) if (threaded)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p) {
        float a_ip = alpha * (transpose_a ? a[p * m + i] : a[i * k + p]);
        const float* b_row = b + p * n;
        float* c_row = c + i * n;
        for (int64_t j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
      }
    return;
  }
  // B stored [N,K]: C[i,j] += alpha * dot(opA[i,:], B[j,:])
#pragma omp parallel for schedule(static) if (threaded)
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float dot = 0.0f;
      for (int64_t p = 0; p < k; ++p) dot += (transpose_a ? a[p * m + i] : a[i * k + p]) * b[j * k + p];
      c[i * n + j] += alpha * dot;
    }
}

void set_thread_count(int threads) {
#ifdef _OPENMP
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

int thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace aevb::kernels
