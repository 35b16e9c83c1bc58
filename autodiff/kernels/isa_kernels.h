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
using BiasActivationKernel = void (*)(float* y, const float* bias, int64_t rows, int64_t columns,
                                      Activation activation);

// One instruction set's register-tiled gemm (gemm_blocked.h), which runs on every thread
// of a team (BlockedGemm::run), with its tile and the epilogue of its narrow products.
struct BlockedGemmKernel {
  void (*run)(const GemmProblem&, const GemmBlocking&, float* a_packed, float* b_packed);
  int mr, nr;
  BiasActivationKernel bias_activation;
};
// The driver of a blocked kernel (kernels/gemm.cpp): packing buffers, block sizes from
// the caches, threads, and narrow products computed transposed.
void run_blocked_gemm(const BlockedGemmKernel& kernel, const GemmProblem& problem);
// The scalar set's product: gemm_reference, then bias_activation_reference.
void gemm_problem_reference(const GemmProblem& problem);

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
  // The whole product with its epilogue (m, n > 0): run_blocked_gemm on this set's
  // BlockedGemmKernel, or the scalar set's gemm_problem_reference.
  void (*gemm)(const GemmProblem&);
  UnaryKernel exp, log, log1p;
  // y = f(x) for each activation f, indexed by Activation (kernels/activation.h)
  std::array<UnaryKernel, AllActivations::size> activation_forward;
  // Fused kernels (the scalar table: their references, with these signatures)
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
  BiasActivationKernel bias_activation;
};

// The scalar set's fused kernels: the references (kernels/optimizer.h, loss.h) with the
// tables' signatures.
void sgd_step_reference(float* param, float* velocity, const float* grad, int64_t count, const OptimizerStep& s);
void adagrad_step_reference(float* param, float* sum_squares, const float* grad, int64_t count,
                            const OptimizerStep& s);
void adam_step_reference(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
                         const OptimizerStep& s);
void bce_backward_logits_reference(float* dlogits, const float* dy, const float* logits, const float* targets,
                                   int64_t count);

// Inside an OpenMP parallel region kernels stay on the calling thread (gemm.cpp).
bool inside_parallel_region();

// The table in use (isa.cpp).
const IsaKernels& active_kernels();

// One per compiled instruction set; the scalar table holds the reference loops. Every
// slot of every table is filled: the tables are built with -Wmissing-field-initializers
// as an error (isa_table.h, isa.cpp).
const IsaKernels& scalar_kernels();
const IsaKernels& sse2_kernels();
const IsaKernels& avx2_kernels();
const IsaKernels& avx512_kernels();
const IsaKernels& neon_kernels();

}  // namespace aevb::kernels
