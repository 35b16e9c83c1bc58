#include "autodiff/kernels/gemm.h"

#include <cassert>
#include <algorithm>
#include <unistd.h>

#include "autodiff/aligned_buffer.h"
#include "autodiff/kernels/isa_kernels.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace aevb::kernels {

namespace {

int64_t cache_bytes(int name, int64_t fallback) {
  const long bytes = sysconf(name);
  return bytes > 0 ? bytes : fallback;
}

// Block sizes from this machine's caches (see gemm_blocked.h): a B sliver (KC x NR)
// in half of L1, an A block (MC x KC) in half of L2, a B panel (KC x NC) in half of L3.
GemmBlocking blocking_for(int64_t mr, int64_t nr) {
  static const int64_t l1 = cache_bytes(_SC_LEVEL1_DCACHE_SIZE, 32 << 10);
  static const int64_t l2 = cache_bytes(_SC_LEVEL2_CACHE_SIZE, 512 << 10);
  static const int64_t l3 = cache_bytes(_SC_LEVEL3_CACHE_SIZE, 8 << 20);
  const int64_t kc = std::clamp<int64_t>(l1 / 2 / (nr * 4) / 8 * 8, 64, 512);
  const int64_t mc = std::max<int64_t>(mr, l2 / 2 / (kc * 4) / mr * mr);
  const int64_t nc = std::max<int64_t>(nr, l3 / 2 / (kc * 4) / nr * nr);
  return {mc, kc, nc};
}

// Packing buffers, one set per calling thread, grown on demand and then reused: after
// the first product of each size, gemm allocates nothing.
struct Workspace {
  AlignedFloats a_packed, b_packed, transposed;
  int64_t a_capacity = 0, b_capacity = 0, transposed_capacity = 0;

  void reserve_transposed(int64_t floats) {
    if (floats > transposed_capacity) transposed = allocate_aligned_floats(transposed_capacity = floats);
  }

  void reserve(int64_t a_floats, int64_t b_floats) {
    if (a_floats > a_capacity) a_packed = allocate_aligned_floats(a_capacity = a_floats);
    if (b_floats > b_capacity) b_packed = allocate_aligned_floats(b_capacity = b_floats);
  }
};

// Runs the blocked kernel on `problem`, split across threads when large.
void run_blocked(const BlockedGemmKernel& kernel, const GemmProblem& problem, Workspace& workspace) {
  const GemmBlocking blocking = blocking_for(kernel.mr, kernel.nr);
  const int64_t mr = kernel.mr, nr = kernel.nr;
  const int64_t m = problem.m, n = problem.n, k = problem.k;
  const int64_t kc = std::min(blocking.kc, k);
  workspace.reserve((std::min(blocking.mc, m) + mr - 1) / mr * mr * kc,
                    (std::min(blocking.nc, n) + nr - 1) / nr * nr * kc);
  const int threads = m * n * k >= kGemmThreadingThreshold && !inside_parallel_region() ? thread_count() : 1;
  float* a_packed = workspace.a_packed.get();
  float* b_packed = workspace.b_packed.get();
  if (threads == 1) {
    kernel.run(problem, blocking, a_packed, b_packed);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    flush_denormals_on_this_thread();
    kernel.run(problem, blocking, a_packed, b_packed);
  }
}

// gemm with the epilogue of a fused linear layer (problem.bias, problem.activation).
void gemm_with_epilogue(const GemmProblem& problem) {
  assert(problem.m >= 0 && problem.n >= 0 && problem.k >= 0);
  assert(problem.k == 0 || (problem.a != nullptr && problem.b != nullptr));
  assert(problem.c != nullptr || problem.m * problem.n == 0);
  if (problem.m == 0 || problem.n == 0) return;
  flush_denormals_on_this_thread();
  active_kernels().gemm(problem);
}

}  // namespace

void run_blocked_gemm(const BlockedGemmKernel& kernel, const GemmProblem& problem) {
  const auto [c, a, b, m, n, k, transpose_a, transpose_b, alpha, beta, bias, activation] = problem;
  const bool has_epilogue = bias != nullptr || activation != Activation::identity;
  if (k == 0) {
    gemm_reference(c, a, b, m, n, k, transpose_a, transpose_b, alpha, beta);
    if (has_epilogue) kernel.bias_activation(c, bias, m, n, activation);
    return;
  }
  thread_local Workspace workspace;
  const int64_t nr = kernel.nr;
  // A product only a few columns wide (the VAE's 20-wide ones) leaves most of the
  // micro-kernel's columns idle or on too few accumulators. Its transpose,
  // C^T = op(B)^T op(A)^T, is narrow in rows instead, which the kernel's row edges
  // handle well: it is computed into a buffer and added back transposed.
  if (n < 2 * nr && m >= 4 * n) {
    workspace.reserve_transposed(m * n);
    float* transposed = workspace.transposed.get();
    run_blocked(kernel, {transposed, b, a, n, m, k, !transpose_b, !transpose_a, alpha, 0.0f}, workspace);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float& out = c[i * n + j];
        out = beta == 0.0f ? transposed[j * m + i] : transposed[j * m + i] + beta * out;
      }
    if (has_epilogue) kernel.bias_activation(c, bias, m, n, activation);
    return;
  }
  run_blocked(kernel, problem, workspace);
}

void gemm_problem_reference(const GemmProblem& problem) {
  const auto [c, a, b, m, n, k, transpose_a, transpose_b, alpha, beta, bias, activation] = problem;
  gemm_reference(c, a, b, m, n, k, transpose_a, transpose_b, alpha, beta);
  if (bias != nullptr || activation != Activation::identity) bias_activation_reference(c, bias, m, n, activation);
}

void gemm(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
          bool transpose_b, float alpha, float beta) {
  gemm_with_epilogue({c, a, b, m, n, k, transpose_a, transpose_b, alpha, beta});
}

void linear_forward(float* y, const float* x, const float* w, const float* bias, int64_t batch, int64_t inputs,
                    int64_t outputs, Activation activation) {
  gemm_with_epilogue({y, x, w, batch, outputs, inputs, false, false, 1.0f, 0.0f, bias, activation});
}

void linear_forward_reference(float* y, const float* x, const float* w, const float* bias, int64_t batch,
                              int64_t inputs, int64_t outputs, Activation activation) {
  gemm_reference(y, x, w, batch, outputs, inputs, false, false, 1.0f, 0.0f);
  bias_activation_reference(y, bias, batch, outputs, activation);
}

// Reference loops, ordered so that the innermost loop runs over contiguous memory.
// Threads split the rows of C: each element is still summed by one thread in the same
// order, so the result is bit-identical for any thread count.
void gemm_reference(float* c, const float* a, const float* b, int64_t m, int64_t n, int64_t k, bool transpose_a,
                    bool transpose_b, float alpha, float beta) {
  assert(m >= 0 && n >= 0 && k >= 0);
  for (int64_t i = 0; i < m * n; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
  const bool threaded = m * n * k >= kGemmThreadingThreshold && !inside_parallel_region();
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

bool inside_parallel_region() {
#ifdef _OPENMP
  return omp_in_parallel() != 0;
#else
  return false;
#endif
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
