// The fused kernels of kernels/optimizer.h and kernels/loss.h, written once as generic
// lambdas that the zip driver below runs on xsimd batches and then on the scalar tail
// (internal: included by the ISA translation units, each with its own flags).
//
// The optimizer formulas use only +, -, *, / and sqrt, never a fused multiply-add, so
// every element is bit-identical to the scalar reference loop on every instruction set.
#pragma once

#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/isa_kernels.h"

namespace aevb::kernels {
namespace {  // internal linkage: each ISA translation unit has its own copy

// Loads and stores that read the same for a batch and for one float.
template <class T>
T load_lanes(const float* p) {
  if constexpr (std::is_same_v<T, float>)
    return *p;
  else
    return T::load_unaligned(p);
}
inline void store_lanes(float* p, float v) { *p = v; }
template <class Batch>
void store_lanes(float* p, const Batch& v) {
  v.store_unaligned(p);
}

// select() for a batch, ?: for one float.
inline float choose(bool condition, float if_true, float if_false) { return condition ? if_true : if_false; }
template <class Mask, class Batch>
Batch choose(const Mask& condition, const Batch& if_true, const Batch& if_false) {
  return xsimd::select(condition, if_true, if_false);
}

// Calls body(i, Batch{}) for each whole batch, then body(i, 0.0f) for each remaining
// element: the body is a generic lambda that reads the same in both.
template <class Arch, class Body>
void zip(int64_t count, Body body) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  int64_t i = 0;
  for (; i + W <= count; i += W) body(i, Batch{});
  for (; i < count; ++i) body(i, 0.0f);
}

template <class Arch>
void sgd(float* param, float* velocity, const float* grad, int64_t count, const OptimizerStep& s) {
  zip<Arch>(count, [&](int64_t i, auto lanes) {
    using T = decltype(lanes);
    const T g = load_lanes<T>(grad + i) + T(s.weight_decay) * load_lanes<T>(param + i);
    const T v = T(s.momentum) * load_lanes<T>(velocity + i) + g;
    store_lanes(velocity + i, v);
    store_lanes(param + i, load_lanes<T>(param + i) - T(s.learning_rate) * (s.nesterov ? g + T(s.momentum) * v : v));
  });
}

template <class Arch>
void adagrad(float* param, float* sum_squares, const float* grad, int64_t count, const OptimizerStep& s) {
  zip<Arch>(count, [&](int64_t i, auto lanes) {
    using T = decltype(lanes);
    const T g = load_lanes<T>(grad + i) + T(s.weight_decay) * load_lanes<T>(param + i);
    const T sum = load_lanes<T>(sum_squares + i) + g * g;
    store_lanes(sum_squares + i, sum);
    store_lanes(param + i, load_lanes<T>(param + i) - T(s.learning_rate) * g / (xsimd::sqrt(sum) + T(s.epsilon)));
  });
}

template <class Arch>
void adam(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
          const OptimizerStep& s) {
  zip<Arch>(count, [&](int64_t i, auto lanes) {
    using T = decltype(lanes);
    T p = load_lanes<T>(param + i), g = load_lanes<T>(grad + i);
    if (s.decoupled_weight_decay)
      p = p - T(s.learning_rate) * T(s.weight_decay) * p;
    else
      g = g + T(s.weight_decay) * p;
    const T m = T(s.beta1) * load_lanes<T>(first_moment + i) + T(1.0f - s.beta1) * g;
    const T v = T(s.beta2) * load_lanes<T>(second_moment + i) + T(1.0f - s.beta2) * g * g;
    store_lanes(first_moment + i, m);
    store_lanes(second_moment + i, v);
    const T denominator = xsimd::sqrt(v) * T(s.inverse_sqrt_second_correction) + T(s.epsilon);
    store_lanes(param + i, p - T(s.step_size) * m / denominator);
  });
}

// y = max(l, 0) - l t + log1p(e^-|l|)
template <class Arch>
void bce_forward(float* y, const float* logits, const float* targets, int64_t count) {
  zip<Arch>(count, [&](int64_t i, auto lanes) {
    using T = decltype(lanes);
    const T l = load_lanes<T>(logits + i);
    const T softplus_of_minus_abs = xsimd::log1p(xsimd::exp(-xsimd::abs(l)));
    store_lanes(y + i, xsimd::max(l, T(0.0f)) - l * load_lanes<T>(targets + i) + softplus_of_minus_abs);
  });
}

// dl += dy (sigmoid(l) - t), sigmoid from e = e^-|l| (no overflow)
template <class Arch>
void bce_backward_logits(float* dlogits, const float* dy, const float* logits, const float* targets, int64_t count) {
  zip<Arch>(count, [&](int64_t i, auto lanes) {
    using T = decltype(lanes);
    const T l = load_lanes<T>(logits + i);
    const T e = xsimd::exp(-xsimd::abs(l));
    const T s = T(1.0f) / (T(1.0f) + e);
    const T sigmoid = choose(l >= T(0.0f), s, e * s);
    const T pull = load_lanes<T>(dy + i) * (sigmoid - load_lanes<T>(targets + i));
    store_lanes(dlogits + i, load_lanes<T>(dlogits + i) + pull);
  });
}

}  // namespace
}  // namespace aevb::kernels
