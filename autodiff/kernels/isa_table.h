// Fills one instruction set's kernel table (internal: each kernels/isa_<name>.cpp
// includes this once, compiled with that set's flags).
#pragma once

#include "autodiff/kernels/activation_impl.h"
#include "autodiff/kernels/fused_impl.h"
#include "autodiff/kernels/gemm_blocked.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/reduce_impl.h"
#include "autodiff/kernels/vector_math_impl.h"

namespace aevb::kernels {
namespace {

template <class Arch>
void blocked_gemm(const GemmProblem& problem) {
  static constexpr BlockedGemmKernel kernel{&BlockedGemm<Arch>::run, BlockedGemm<Arch>::MR, BlockedGemm<Arch>::NR,
                                            &simd_bias_activation<Arch>};
  run_blocked_gemm(kernel, problem);
}

template <class Arch, class... Activations>
constexpr std::array<UnaryKernel, sizeof...(Activations)> activation_forward_kernels(ActivationList<Activations...>) {
  return {&map_batches<Arch, ForwardOf<Activations>>...};
}

// A slot left out of the table is an error, not a null pointer found at run time.
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wmissing-field-initializers"
template <class Arch>
IsaKernels make_isa_kernels(Isa isa) {
  return IsaKernels{
      .isa = isa,
      .simd_width = BlockedGemm<Arch>::W,
      .gemm = &blocked_gemm<Arch>,
      .exp = &map_batches<Arch, ExpFormula>,
      .log = &map_batches<Arch, LogFormula>,
      .log1p = &map_batches<Arch, Log1pFormula>,
      .activation_forward = activation_forward_kernels<Arch>(AllActivations{}),
      .sgd = &sgd<Arch>,
      .adagrad = &adagrad<Arch>,
      .adam = &adam<Arch>,
      .bce_forward = &bce_forward<Arch>,
      .bce_backward_logits = &bce_backward_logits<Arch>,
      .sum = &simd_sum<Arch>,
      .dot = &simd_dot<Arch>,
      .squared_norm = &simd_squared_norm<Arch>,
      .sum_exp = &simd_sum_exp<Arch>,
      .max = &simd_max<Arch>,
      .accumulate_scaled_exp = &simd_accumulate_scaled_exp<Arch>,
      .activation_backward = &simd_activation_backward<Arch>,
      .bias_activation = &simd_bias_activation<Arch>,
  };
}
#pragma GCC diagnostic pop

}  // namespace
}  // namespace aevb::kernels
