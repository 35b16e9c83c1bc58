// Activations that a fused linear layer applies in its gemm's store (kernels/gemm.h),
// and their derivatives written in terms of the output y, so that the backward needs
// nothing but what the forward wrote. The formulas are those of the ops relu,
// leaky_relu, elu, tanh, sigmoid and softplus (ops/unary.cpp).
#pragma once

#include <cmath>
#include <cstdint>

#include "autodiff/kernels/vector_math.h"

namespace aevb::kernels {

enum class Activation : uint8_t { identity, relu, leaky_relu, elu, tanh, sigmoid, softplus };

inline constexpr float kLeakyReluSlope = 0.01f;  // the defaults of ops' leaky_relu and elu
inline constexpr float kEluAlpha = 1.0f;

const char* activation_name(Activation activation);  // "identity", "relu", ...

// The scalar references; the SIMD kernels compute the same formulas on batches.
inline float activate_reference(float v, Activation activation) {
  switch (activation) {
    case Activation::identity: return v;
    case Activation::relu: return v < 0 ? 0.0f : v;
    case Activation::leaky_relu: return v < 0 ? kLeakyReluSlope * v : v;
    case Activation::elu: return v > 0 ? v : kEluAlpha * std::expm1(v);
    case Activation::tanh: return std::tanh(v);
    case Activation::sigmoid: return stable_sigmoid(v);
    case Activation::softplus: return stable_softplus(v);
  }
  return v;
}

// dy * f'(x), from y = f(x): relu and the ELUs are positive exactly where x is; the
// others' derivatives are functions of y (softplus: sigmoid(x) = 1 - e^-y).
inline float activation_derivative_reference(float dy, float y, Activation activation) {
  switch (activation) {
    case Activation::identity: return dy;
    case Activation::relu: return y > 0 ? dy : 0.0f;
    case Activation::leaky_relu: return y < 0 ? kLeakyReluSlope * dy : dy;
    case Activation::elu: return y > 0 ? dy : dy * (y + kEluAlpha);
    case Activation::tanh: return dy * (1.0f - y * y);
    case Activation::sigmoid: return dy * y * (1.0f - y);
    case Activation::softplus: return dy * -std::expm1(-y);
  }
  return dy;
}

// y[r, j] = f(y[r, j] + bias[j]) (bias null: none), the reference of the gemm epilogue
void bias_activation_reference(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation);

// dpre[i] = dy[i] * f'(x[i]) from y[i] = f(x[i]) (SIMD; reference loop on the scalar set)
void activation_backward(float* dpre, const float* dy, const float* y, int64_t count, Activation activation);
void activation_backward_reference(float* dpre, const float* dy, const float* y, int64_t count,
                                   Activation activation);

}  // namespace aevb::kernels
