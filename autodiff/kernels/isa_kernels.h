// The table of kernels one instruction set provides (internal). Each
// kernels/isa_<name>.cpp fills one from the templates in gemm_blocked.h and
// vector_math_impl.h, compiled with that set's flags; isa.cpp picks the table.
#pragma once

#include <array>
#include <cstdint>

#include "autodiff/kernels/activation.h"
#include "autodiff/kernels/isa.h"

namespace aevb::kernels {

struct GemmProblem {
  float* c;
  const float* a;
  const float* b;
  int64_t m, n, k;
  bool transpose_a, transpose_b;
  float alpha, beta;
  // Applied as each tile of C is finished: C = f(C + bias[column]); null bias: none.
  const float* bias = nullptr;
  Activation activation = Activation::identity;
};

// Block sizes of the packed gemm (see gemm_blocked.h); they fix the order of summation.
struct GemmBlocking {
  int64_t mc, kc, nc;
};

using UnaryKernel = void (*)(float* y, const float* x, int64_t count);

// One optimizer step's constants (kernels/optimizer.h); the bias corrections of Adam
// are folded into step_size and inverse_sqrt_second_correction once per step.
struct OptimizerStep {
  float learning_rate = 0, momentum = 0, weight_decay = 0, epsilon = 0;
  float beta1 = 0, beta2 = 0, step_size = 0, inverse_sqrt_second_correction = 0;
  bool nesterov = false, decoupled_weight_decay = false;
};

struct IsaKernels {
  Isa isa;
  int simd_width;  // floats per batch
  int gemm_mr, gemm_nr;
  // Runs on every thread of a team (or alone); see BlockedGemm::run.
  void (*gemm)(const GemmProblem&, const GemmBlocking&, float* a_packed, float* b_packed);
  UnaryKernel exp, log, log1p;
  // y = f(x) for each activation f, indexed by Activation (kernels/activation.h)
  std::array<UnaryKernel, AllActivations::size> activation_forward;
  // Fused kernels; null in the scalar table, whose callers run the reference loops.
  void (*sgd)(float* param, float* velocity, const float* grad, int64_t count, const OptimizerStep&);
  void (*adagrad)(float* param, float* sum_squares, const float* grad, int64_t count, const OptimizerStep&);
  void (*adam)(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
               const OptimizerStep&);
  void (*bce_forward)(float* y, const float* logits, const float* targets, int64_t count);
  void (*bce_backward_logits)(float* dlogits, const float* dy, const float* logits, const float* targets,
                              int64_t count);
  // Row reductions (kernels/reduce.h); the scalar table holds the references.
  float (*sum)(const float* x, int64_t count);
  float (*dot)(const float* a, const float* b, int64_t count);
  float (*squared_norm)(const float* x, int64_t count);
  float (*sum_exp)(const float* x, int64_t count, float shift);
  float (*max)(const float* x, int64_t count);
  void (*accumulate_scaled_exp)(float* dx, const float* x, float shift, float scale, int64_t count);
  // Fused linear layers (kernels/activation.h); the scalar table holds the references.
  void (*activation_backward)(float* dpre, const float* dy, const float* y, int64_t count, Activation activation);
  void (*bias_activation)(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation);
};

// Inside an OpenMP parallel region kernels stay on the calling thread (gemm.cpp).
bool inside_parallel_region();

// The table in use (isa.cpp).
const IsaKernels& active_kernels();

// One per compiled instruction set; the scalar table holds the reference loops.
const IsaKernels& scalar_kernels();
const IsaKernels& sse2_kernels();
const IsaKernels& avx2_kernels();
const IsaKernels& avx512_kernels();
const IsaKernels& neon_kernels();

}  // namespace aevb::kernels
