#include "autodiff/kernels/gemm.h"

namespace aevb::kernels {

// Reference loops, ordered so that the innermost loop runs over contiguous memory.
void gemm(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
          bool transpose_b, float alpha, float beta) {
  for (int64_t i = 0; i < m * n; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
  if (!transpose_b) {
    // C[i,:] += alpha * opA[i,p] * B[p,:]
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
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float dot = 0.0f;
      for (int64_t p = 0; p < k; ++p) dot += (transpose_a ? a[p * m + i] : a[i * k + p]) * b[j * k + p];
      c[i * n + j] += alpha * dot;
    }
}

}  // namespace aevb::kernels
