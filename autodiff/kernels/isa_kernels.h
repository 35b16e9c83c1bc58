// The table of kernels one instruction set provides (internal). Each
// kernels/isa_<name>.cpp fills one from the templates in gemm_blocked.h and
// vector_math_impl.h, compiled with that set's flags; isa.cpp picks the table.
#pragma once

#include <cstdint>

#include "autodiff/kernels/isa.h"

namespace aevb::kernels {

struct GemmProblem {
  float* c;
  const float* a;
  const float* b;
  int64_t m, n, k;
  bool transpose_a, transpose_b;
  float alpha, beta;
};

// Block sizes of the packed gemm (see gemm_blocked.h); they fix the order of summation.
struct GemmBlocking {
  int64_t mc, kc, nc;
};

using UnaryKernel = void (*)(float* y, const float* x, int64_t count);

struct IsaKernels {
  Isa isa;
  int simd_width;  // floats per batch
  int gemm_mr, gemm_nr;
  // Runs on every thread of a team (or alone); see BlockedGemm::run.
  void (*gemm)(const GemmProblem&, const GemmBlocking&, float* a_packed, float* b_packed);
  UnaryKernel exp, log, log1p, tanh, sigmoid, softplus;
};

// The table in use (isa.cpp).
const IsaKernels& active_kernels();

// One per compiled instruction set; the scalar table holds the reference loops.
const IsaKernels& scalar_kernels();
const IsaKernels& sse2_kernels();
const IsaKernels& avx2_kernels();
const IsaKernels& avx512_kernels();
const IsaKernels& neon_kernels();

}  // namespace aevb::kernels
