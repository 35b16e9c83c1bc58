// Unary elementwise ops. Each: the math and its derivative in one comment line, then
// the forward formula and the derivative handed to the kernel driver.
#include <algorithm>
#include <cmath>

#include "autodiff/ops.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb {
using kernels::stable_sigmoid;
using kernels::stable_softplus;

// y = -x: built from mul by a scalar, so it needs no backward of its own.
Var neg(Var x) { return mul(x, -1.0f); }

// y = e^x;  dx += dy * y
Var exp(Var x) {
  return unary_array_op("exp", x, kernels::vector_exp, [](float dy, float, float y) { return dy * y; });
}

// y = log x;  dx += dy / x
Var log(Var x) {
  return unary_array_op("log", x, kernels::vector_log, [](float dy, float v, float) { return dy / v; });
}

// y = log(1 + x);  dx += dy / (1 + x)
Var log1p(Var x) {
  return unary_array_op("log1p", x, kernels::vector_log1p, [](float dy, float v, float) { return dy / (1.0f + v); });
}

// y = e^x - 1;  dx += dy * (y + 1)
Var expm1(Var x) {
  return unary_op("expm1", x, [](float v) { return std::expm1(v); },
                  [](float dy, float, float y) { return dy * (y + 1.0f); });
}

// y = sqrt x;  dx += dy / (2 y)
Var sqrt(Var x) {
  return unary_op("sqrt", x, [](float v) { return std::sqrt(v); },
                  [](float dy, float, float y) { return dy * 0.5f / y; });
}

// y = x^2;  dx += dy * 2x
Var square(Var x) {
  return unary_op("square", x, [](float v) { return v * v; }, [](float dy, float v, float) { return dy * 2.0f * v; });
}

// y = |x|;  dx += dy * sign(x), with sign(0) = 0
Var abs(Var x) {
  return unary_op("abs", x, [](float v) { return std::fabs(v); },
                  [](float dy, float v, float) { return v > 0 ? dy : (v < 0 ? -dy : 0.0f); });
}

// y = max(x, 0);  dx += dy * [x > 0]. Written `x < 0 ? 0 : x` so NaN passes through.
Var relu(Var x) {
  return unary_op("relu", x, [](float v) { return v < 0 ? 0.0f : v; },
                  [](float dy, float v, float) { return v > 0 ? dy : 0.0f; });
}

// y = x for x >= 0, slope * x below;  dx += dy * (x >= 0 ? 1 : slope)
Var leaky_relu(Var x, float slope) {
  return unary_op("leaky_relu", x, [slope](float v) { return v < 0 ? slope * v : v; },
                  [slope](float dy, float v, float) { return v < 0 ? slope * dy : dy; });
}

// y = x for x > 0, alpha (e^x - 1) below;  dx += dy * (x > 0 ? 1 : y + alpha)
Var elu(Var x, float alpha) {
  return unary_op("elu", x, [alpha](float v) { return v > 0 ? v : alpha * std::expm1(v); },
                  [alpha](float dy, float v, float y) { return v > 0 ? dy : dy * (y + alpha); });
}

// y = 1 / (1 + e^-x);  dx += dy * y (1 - y)
Var sigmoid(Var x) {
  return unary_array_op("sigmoid", x, kernels::vector_sigmoid,
                        [](float dy, float, float y) { return dy * y * (1.0f - y); });
}

// y = log sigmoid(x) = -softplus(-x);  dx += dy * sigmoid(-x)
Var log_sigmoid(Var x) {
  return unary_op("log_sigmoid", x, [](float v) { return -stable_softplus(-v); },
                  [](float dy, float v, float) { return dy * stable_sigmoid(-v); });
}

// y = tanh x;  dx += dy * (1 - y^2)
Var tanh(Var x) {
  return unary_array_op("tanh", x, kernels::vector_tanh, [](float dy, float, float y) { return dy * (1.0f - y * y); });
}

// y = log(1 + e^x);  dx += dy * sigmoid(x)
Var softplus(Var x) {
  return unary_array_op("softplus", x, kernels::vector_softplus,
                  [](float dy, float v, float) { return dy * stable_sigmoid(v); });
}

// y = min(max(x, low), high);  dx += dy * [low <= x <= high]
Var clamp(Var x, float low, float high) {
  check(low <= high, "clamp: low ", low, " is above high ", high, " (input shape ", x.shape(), ")");
  return unary_op("clamp", x, [low, high](float v) { return std::isnan(v) ? v : std::min(std::max(v, low), high); },
                  [low, high](float dy, float v, float) { return (v >= low && v <= high) ? dy : 0.0f; });
}

}  // namespace aevb
