// Binary elementwise ops with numpy-style broadcasting: shapes are aligned at their last
// axis, and along each axis the sizes must be equal or one of them 1 (or missing).
// The broadcast adjoint is the kernel's zero-stride accumulation (kernels/broadcast.h).
#include <cmath>

#include "autodiff/ops.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb {

// y = a + b;  da += dy;  db += dy
Var add(Var a, Var b) {
  return binary_op("add", a, b, [](float a, float b) { return a + b; },
                   [](float dy, float, float, float) { return dy; }, [](float dy, float, float, float) { return dy; });
}

// y = a - b = a + (-b): composed, no backward of its own.
Var sub(Var a, Var b) { return add(a, neg(b)); }

// y = a * b;  da += dy * b;  db += dy * a
Var mul(Var a, Var b) {
  return binary_op("mul", a, b, [](float a, float b) { return a * b; },
                   [](float dy, float, float b, float) { return dy * b; },
                   [](float dy, float a, float, float) { return dy * a; });
}

// y = a / b;  da += dy / b;  db += -dy * y / b
Var div(Var a, Var b) {
  return binary_op("div", a, b, [](float a, float b) { return a / b; },
                   [](float dy, float, float b, float) { return dy / b; },
                   [](float dy, float, float b, float y) { return -dy * y / b; });
}

// y = max(a, b);  the larger input gets dy; on a tie each gets dy / 2
Var maximum(Var a, Var b) {
  return binary_op("maximum", a, b, [](float a, float b) { return std::isnan(a) || a > b ? a : b; },
                   [](float dy, float a, float b, float) { return a > b ? dy : (a == b ? 0.5f * dy : 0.0f); },
                   [](float dy, float a, float b, float) { return b > a ? dy : (a == b ? 0.5f * dy : 0.0f); });
}

// y = min(a, b);  the smaller input gets dy; on a tie each gets dy / 2
Var minimum(Var a, Var b) {
  return binary_op("minimum", a, b, [](float a, float b) { return std::isnan(a) || a < b ? a : b; },
                   [](float dy, float a, float b, float) { return a < b ? dy : (a == b ? 0.5f * dy : 0.0f); },
                   [](float dy, float a, float b, float) { return b < a ? dy : (a == b ? 0.5f * dy : 0.0f); });
}

// y = x + c;  dx += dy
Var add(Var x, float c) {
  return unary_op("add_scalar", x, [c](float b) { return b + c; }, [](float dy, float, float) { return dy; });
}

// y = c * x;  dx += c * dy
Var mul(Var x, float c) {
  return unary_op("mul_scalar", x, [c](float b) { return c * b; }, [c](float dy, float, float) { return c * dy; });
}

// Composed from the two above.
Var sub(Var x, float c) { return add(x, -c); }
Var div(Var x, float c) {
  check(c != 0.0f, "div: division of shape ", x.shape(), " by the scalar 0");
  return mul(x, 1.0f / c);
}

// y = x^p;  dx += dy * p * x^(p-1)
Var pow(Var x, float exponent) {
  return unary_op("pow", x, [exponent](float b) { return std::pow(b, exponent); },
                  [exponent](float dy, float b, float) { return dy * exponent * std::pow(b, exponent - 1.0f); });
}

}  // namespace aevb
