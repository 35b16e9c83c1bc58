// The activations, each defined once: its name, y = f(x), and dx = dy f'(x) written in
// terms of the output y, so that the backward of a fused linear layer needs nothing but
// what its forward stored. Every formula is a template over T, a float or an xsimd
// batch, and everything else comes from these definitions: the unary ops
// (ops/unary.cpp), the scalar references and the SIMD kernels below, the gemm's fused
// store (gemm_blocked.h), the op names of fused layers, nn's parse_activation and the
// tests' lists.
//
// `rectifier` marks the activations linear above 0 and (nearly) flat below, those whose
// layers He initialization suits (nn's default_init).
//
// Adding an activation: its definition, its enumerator and its place in
// AllActivations (all three here; a static_assert checks they agree), and its row in
// tests/autodiff/ops/unary_test.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace aevb::kernels {

enum class Activation : uint8_t { identity, relu, leaky_relu, elu, tanh, sigmoid, softplus };

// The formulas call abs, exp, expm1, log1p, max, tanh and select unqualified: for a
// float these are std's and the select below; for an xsimd batch, xsimd's, found
// through the batch's own namespace (so this header needs no xsimd of its own).
using std::abs, std::exp, std::expm1, std::log1p, std::max, std::tanh;
// c ? a : b, the float twin of xsimd::select (which picks lane by lane); both sides
// are computed.
inline float select(bool c, float a, float b) { return c ? a : b; }

// y = x;  dx = dy
struct Identity {
  static constexpr Activation kind = Activation::identity;
  static constexpr const char* name = "identity";
  static constexpr bool rectifier = false;
  template <class T> static T forward(T x) { return x; }
  template <class T> static T derivative(T dy, T) { return dy; }
};

// y = max(x, 0), as `x < 0 ? 0 : x` so that NaN passes through;  dx = dy [y > 0]
struct Relu {
  static constexpr Activation kind = Activation::relu;
  static constexpr const char* name = "relu";
  static constexpr bool rectifier = true;
  template <class T> static T forward(T x) { return select(x < T(0.0f), T(0.0f), x); }
  template <class T> static T derivative(T dy, T y) { return select(y > T(0.0f), dy, T(0.0f)); }
};

// y = x for x >= 0, slope x below;  dx = dy (y < 0 ? slope : 1), which needs slope > 0
// (y < 0 exactly where x < 0)
struct LeakyRelu {
  static constexpr Activation kind = Activation::leaky_relu;
  static constexpr const char* name = "leaky_relu";
  static constexpr bool rectifier = true;
  static constexpr float kSlope = 0.01f;  // the fused layers' slope, and the op's default
  template <class T> static T forward(T x, float slope = kSlope) { return select(x < T(0.0f), T(slope) * x, x); }
  template <class T> static T derivative(T dy, T y, float slope = kSlope) {
    return select(y < T(0.0f), T(slope) * dy, dy);
  }
};

// y = x for x > 0, alpha (e^x - 1) below;  dx = dy (y > 0 ? 1 : y + alpha), which needs
// alpha > 0 (y > 0 exactly where x > 0)
struct Elu {
  static constexpr Activation kind = Activation::elu;
  static constexpr const char* name = "elu";
  static constexpr bool rectifier = true;
  static constexpr float kAlpha = 1.0f;  // the fused layers' alpha, and the op's default
  template <class T> static T forward(T x, float alpha = kAlpha) {
    return select(x > T(0.0f), x, T(alpha) * expm1(x));
  }
  template <class T> static T derivative(T dy, T y, float alpha = kAlpha) {
    return select(y > T(0.0f), dy, dy * (y + T(alpha)));
  }
};

// y = tanh x;  dx = dy (1 - y^2)
struct Tanh {
  static constexpr Activation kind = Activation::tanh;
  static constexpr const char* name = "tanh";
  static constexpr bool rectifier = false;
  template <class T> static T forward(T x) { return tanh(x); }
  template <class T> static T derivative(T dy, T y) { return dy * (T(1.0f) - y * y); }
};

// y = 1 / (1 + e^-x), computed from e = e^-|x|, which never overflows: 1 / (1 + e) for
// x >= 0, e / (1 + e) below (NaN stays NaN through e);  dx = dy y (1 - y)
struct Sigmoid {
  static constexpr Activation kind = Activation::sigmoid;
  static constexpr const char* name = "sigmoid";
  static constexpr bool rectifier = false;
  template <class T> static T forward(T x) {
    const T e = exp(-abs(x));
    const T s = T(1.0f) / (T(1.0f) + e);
    return select(x >= T(0.0f), s, e * s);
  }
  template <class T> static T derivative(T dy, T y) { return dy * y * (T(1.0f) - y); }
};

// y = log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exact for large |x|, NaN propagates;
// dx = dy sigmoid(x) = dy (1 - e^-y)
struct Softplus {
  static constexpr Activation kind = Activation::softplus;
  static constexpr const char* name = "softplus";
  static constexpr bool rectifier = false;
  template <class T> static T forward(T x) { return max(x, T(0.0f)) + log1p(exp(-abs(x))); }
  template <class T> static T derivative(T dy, T y) { return dy * -expm1(-y); }
};

template <class... Definitions>
struct ActivationList {
  static constexpr std::size_t size = sizeof...(Definitions);
  static constexpr std::array<Activation, size> kinds = {Definitions::kind...};
  static constexpr std::array<const char*, size> names = {Definitions::name...};
};
// Every activation, in the enum's order, so that an Activation indexes the tables.
using AllActivations = ActivationList<Identity, Relu, LeakyRelu, Elu, Tanh, Sigmoid, Softplus>;

inline constexpr bool in_enum_order(const auto& kinds) {
  for (std::size_t i = 0; i < kinds.size(); ++i)
    if (static_cast<std::size_t>(kinds[i]) != i) return false;
  return true;
}
static_assert(in_enum_order(AllActivations::kinds), "AllActivations must list the activations in the enum's order");

inline constexpr std::array<Activation, AllActivations::size> kAllActivations = AllActivations::kinds;

// "identity", "relu", ...; null for a value outside the enum
constexpr const char* activation_name(Activation activation) {
  const auto index = static_cast<std::size_t>(activation);
  return index < AllActivations::size ? AllActivations::names[index] : nullptr;
}

// Runs body.template operator()<F>() with F the definition of `activation`, so that a
// loop inside the body is compiled once per activation with no switch in it.
template <class Body, class... Definitions>
void with_activation_in(Activation activation, Body&& body, ActivationList<Definitions...>) {
  (void)((activation == Definitions::kind ? (body.template operator()<Definitions>(), true) : false) || ...);
}
template <class Body>
void with_activation(Activation activation, Body&& body) {
  with_activation_in(activation, body, AllActivations{});
}

// The kernels. Each runs the active instruction set's SIMD code and has a scalar
// reference computing the same formulas on floats; the scalar set runs the references.

// y[i] = f(x[i]), split across threads for large arrays like kernels/vector_math.h
void activation_forward(float* y, const float* x, int64_t count, Activation activation);
void activation_forward_reference(float* y, const float* x, int64_t count, Activation activation);
// The reference loop of one activation, the scalar set's entry for it
template <class F>
void forward_reference(float* y, const float* x, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = F::forward(x[i]);
}

// y[r, j] = f(y[r, j] + bias[j]) (bias null: none), the reference of the gemm epilogue
void bias_activation_reference(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation);

// dpre[i] = dy[i] f'(x[i]) from y[i] = f(x[i]) (SIMD; the reference loop on the scalar set)
void activation_backward(float* dpre, const float* dy, const float* y, int64_t count, Activation activation);
void activation_backward_reference(float* dpre, const float* dy, const float* y, int64_t count,
                                   Activation activation);

}  // namespace aevb::kernels
