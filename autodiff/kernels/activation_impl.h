// The activations of kernels/activation.h on xsimd batches: the gemm's store applies
// them (gemm_blocked.h), and the backward of a fused linear layer their derivatives
// (internal: included by the ISA translation units, each with its own flags).
#pragma once

#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/activation.h"
#include "autodiff/kernels/vector_math_impl.h"

namespace aevb::kernels {
namespace {  // internal linkage: each ISA translation unit has its own copy

// f(v) with f known at compile time; select() keeps NaN where the references'
// comparisons do.
template <Activation A, class B>
B activate_lanes(B v) {
  if constexpr (A == Activation::identity) return v;
  if constexpr (A == Activation::relu) return xsimd::select(v < B(0.0f), B(0.0f), v);
  if constexpr (A == Activation::leaky_relu) return xsimd::select(v < B(0.0f), B(kLeakyReluSlope) * v, v);
  if constexpr (A == Activation::elu) return xsimd::select(v > B(0.0f), v, B(kEluAlpha) * xsimd::expm1(v));
  if constexpr (A == Activation::tanh) return TanhFormula()(v);
  if constexpr (A == Activation::sigmoid) return SigmoidFormula()(v);
  if constexpr (A == Activation::softplus) return SoftplusFormula()(v);
}

// Runs body.template operator()<A>() with A = `activation` as a constant, so that a
// loop inside the body is compiled once per activation with no switch in it.
template <class Body>
void with_activation(Activation activation, Body&& body) {
  switch (activation) {
    case Activation::identity: return body.template operator()<Activation::identity>();
    case Activation::relu: return body.template operator()<Activation::relu>();
    case Activation::leaky_relu: return body.template operator()<Activation::leaky_relu>();
    case Activation::elu: return body.template operator()<Activation::elu>();
    case Activation::tanh: return body.template operator()<Activation::tanh>();
    case Activation::sigmoid: return body.template operator()<Activation::sigmoid>();
    case Activation::softplus: return body.template operator()<Activation::softplus>();
  }
}

template <class B>
B activation_derivative_lanes(B dy, B y, Activation activation) {
  switch (activation) {
    case Activation::identity: return dy;
    case Activation::relu: return xsimd::select(y > B(0.0f), dy, B(0.0f));
    case Activation::leaky_relu: return xsimd::select(y < B(0.0f), B(kLeakyReluSlope) * dy, dy);
    case Activation::elu: return xsimd::select(y > B(0.0f), dy, dy * (y + B(kEluAlpha)));
    case Activation::tanh: return dy * (B(1.0f) - y * y);
    case Activation::sigmoid: return dy * y * (B(1.0f) - y);
    case Activation::softplus: return dy * -xsimd::expm1(-y);
  }
  return dy;
}

// The last partial batch goes through padded loads, so every element is computed by
// the same code whatever its position.
template <class Arch>
void simd_activation_backward(float* dpre, const float* dy, const float* y, int64_t count, Activation activation) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  int64_t i = 0;
  for (; i + W <= count; i += W)
    activation_derivative_lanes(Batch::load_unaligned(dy + i), Batch::load_unaligned(y + i), activation)
        .store_unaligned(dpre + i);
  if (i < count)
    store_partial(dpre + i,
                  activation_derivative_lanes(load_padded<Batch>(dy + i, count - i, 0.0f),
                                              load_padded<Batch>(y + i, count - i, 0.0f), activation),
                  count - i);
}

// y[r, j] = f(y[r, j] + bias[j]) (no bias when null), with the batches of the gemm's
// store: the narrow products, computed transposed, finish here (kernels/gemm.cpp).
template <class Arch>
void simd_bias_activation(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  with_activation(activation, [&]<Activation A>() {
    for (int64_t r = 0; r < rows; ++r) {
      float* row = y + r * columns;
      for (int64_t j = 0; j < columns; j += W) {
        const int64_t valid = std::min<int64_t>(W, columns - j);
        Batch value = load_padded<Batch>(row + j, valid, 0.0f);
        if (bias != nullptr) value = value + load_padded<Batch>(bias + j, valid, 0.0f);
        store_partial(row + j, activate_lanes<A>(value), valid);
      }
    }
  });
}

}  // namespace
}  // namespace aevb::kernels
