// The activations of kernels/activation.h on xsimd batches: the backward of a fused
// linear layer and the store of a narrow product (internal: included by the ISA
// translation units, each with its own flags).
#pragma once

#include <algorithm>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/activation.h"
#include "autodiff/kernels/vector_math_impl.h"

namespace aevb::kernels {
namespace {  // internal linkage: each ISA translation unit has its own copy

// dpre = F::derivative(dy, y); the last partial batch goes through padded loads, so
// every element is computed by the same code whatever its position.
template <class Arch>
void simd_activation_backward(float* dpre, const float* dy, const float* y, int64_t count, Activation activation) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  with_activation(activation, [&]<class F>() {
    int64_t i = 0;
    for (; i + W <= count; i += W)
      F::derivative(Batch::load_unaligned(dy + i), Batch::load_unaligned(y + i)).store_unaligned(dpre + i);
    if (i < count) {
      const Batch dy_tail = load_padded<Batch>(dy + i, count - i, 0.0f);
      store_partial(dpre + i, F::derivative(dy_tail, load_padded<Batch>(y + i, count - i, 0.0f)), count - i);
    }
  });
}

// y[r, j] = f(y[r, j] + bias[j]) (no bias when null), with the batches of the gemm's
// store: the narrow products, computed transposed, finish here (kernels/gemm.cpp).
template <class Arch>
void simd_bias_activation(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  with_activation(activation, [&]<class F>() {
    for (int64_t r = 0; r < rows; ++r) {
      float* row = y + r * columns;
      for (int64_t j = 0; j < columns; j += W) {
        const int64_t valid = std::min<int64_t>(W, columns - j);
        Batch value = load_padded<Batch>(row + j, valid, 0.0f);
        if (bias != nullptr) value = value + load_padded<Batch>(bias + j, valid, 0.0f);
        store_partial(row + j, F::forward(value), valid);
      }
    }
  });
}

}  // namespace
}  // namespace aevb::kernels
