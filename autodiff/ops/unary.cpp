// Unary elementwise ops. Each: the math and its derivative in one comment line, then
// the forward formula and the derivative handed to the kernel driver.
#include <algorithm>
#include <cmath>

#include "autodiff/kernels/activation.h"
#include "autodiff/ops.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb {
using kernels::Sigmoid;
using kernels::Softplus;

// y = -x: built from mul by a scalar, so it needs no backward of its own.
Var neg(Var x) { return mul(x, -1.0f); }

// y = e^x;  dx += dy * y
Var exp(Var x) {
  return unary_array_op("exp", x, kernels::vector_exp, [](float dy, float, float y) { return dy * y; });
}

// y = log x;  dx += dy / x
Var log(Var x) {
  return unary_array_op("log", x, kernels::vector_log, [](float dy, float x, float) { return dy / x; });
}

// y = log(1 + x);  dx += dy / (1 + x)
Var log1p(Var x) {
  return unary_array_op("log1p", x, kernels::vector_log1p, [](float dy, float x, float) { return dy / (1.0f + x); });
}

// y = e^x - 1;  dx += dy * (y + 1)
Var expm1(Var x) {
  return unary_op("expm1", x, [](float x) { return std::expm1(x); },
                  [](float dy, float, float y) { return dy * (y + 1.0f); });
}

// y = sqrt x;  dx += dy / (2 y)
Var sqrt(Var x) {
  return unary_op("sqrt", x, [](float x) { return std::sqrt(x); },
                  [](float dy, float, float y) { return dy * 0.5f / y; });
}

// y = x^2;  dx += dy * 2x
Var square(Var x) {
  return unary_op("square", x, [](float x) { return x * x; }, [](float dy, float x, float) { return dy * 2.0f * x; });
}

// y = |x|;  dx += dy * sign(x), with sign(0) = 0
Var abs(Var x) {
  return unary_op("abs", x, [](float x) { return std::fabs(x); },
                  [](float dy, float x, float) { return x > 0 ? dy : (x < 0 ? -dy : 0.0f); });
}

// The activations: each formula and derivative is its definition in
// kernels/activation.h, shared with the fused linear layers; the derivative reads y.
// The forward is the vectorized activation kernel.
template <class F>
Var activation_op(Var x) {
  return unary_array_op(
      F::name, x, [](float* y, const float* v, int64_t count) { kernels::activation_forward(y, v, count, F::kind); },
      [](float dy, float, float y) { return F::derivative(dy, y); });
}

Var activate(Var x, kernels::Activation activation) {
  check(kernels::activation_name(activation) != nullptr, "activate: activation ", static_cast<int>(activation),
        " is not one of kernels::Activation's (input shape ", x.shape(), ")");
  if (activation == kernels::Activation::identity) return x;
  Var y;
  kernels::with_activation(activation, [&]<class F>() { y = activation_op<F>(x); });
  return y;
}

// y = max(x, 0);  dx += dy * [y > 0]
Var relu(Var x) { return activation_op<kernels::Relu>(x); }

// An activation with a parameter p (leaky_relu's slope, elu's alpha): the vectorized
// kernel at the fused layers' value, the same formula one element at a time at any
// other. The derivatives read the sign of x from y, which only p > 0 keeps.
template <class F>
Var parameterized_activation_op(Var x, const char* parameter_name, float p, float fused_p) {
  check(p > 0 && std::isfinite(p), F::name, ": ", parameter_name, " ", p, " must be positive and finite (input shape ",
        x.shape(), ")");
  if (p == fused_p) return activation_op<F>(x);
  return unary_op(F::name, x, [p](float x) { return F::forward(x, p); },
                  [p](float dy, float, float y) { return F::derivative(dy, y, p); });
}

// y = x for x >= 0, slope * x below;  dx += dy * (y < 0 ? slope : 1)
Var leaky_relu(Var x, float slope) {
  return parameterized_activation_op<kernels::LeakyRelu>(x, "slope", slope, kernels::LeakyRelu::kSlope);
}

// y = x for x > 0, alpha (e^x - 1) below;  dx += dy * (y > 0 ? 1 : y + alpha)
Var elu(Var x, float alpha) { return parameterized_activation_op<kernels::Elu>(x, "alpha", alpha, kernels::Elu::kAlpha); }

// y = 1 / (1 + e^-x);  dx += dy * y (1 - y)
Var sigmoid(Var x) { return activation_op<kernels::Sigmoid>(x); }

// y = log sigmoid(x) = -softplus(-x);  dx += dy * sigmoid(-x)
Var log_sigmoid(Var x) {
  return unary_op("log_sigmoid", x, [](float x) { return -Softplus::forward(-x); },
                  [](float dy, float x, float) { return dy * Sigmoid::forward(-x); });
}

// y = tanh x;  dx += dy * (1 - y^2)
Var tanh(Var x) { return activation_op<kernels::Tanh>(x); }

// y = log(1 + e^x);  dx += dy * sigmoid(x) = dy * (1 - e^-y)
Var softplus(Var x) { return activation_op<kernels::Softplus>(x); }

// y = min(max(x, low), high);  dx += dy * [low <= x <= high]
Var clamp(Var x, float low, float high) {
  check(low <= high, "clamp: low ", low, " is above high ", high, " (input shape ", x.shape(), ")");
  return unary_op("clamp", x, [low, high](float x) { return std::isnan(x) ? x : std::min(std::max(x, low), high); },
                  [low, high](float dy, float x, float) { return (x >= low && x <= high) ? dy : 0.0f; });
}

}  // namespace aevb
