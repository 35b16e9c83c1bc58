// Special functions: log-gamma and digamma, which the Gamma, Beta and Kumaraswamy
// distributions need, with derivatives digamma and trigamma; and the Kumaraswamy's mean
// of log(1 - z), which its KL from a Beta needs.
#include <cmath>

#include "autodiff/kernels/special_functions.h"
#include "autodiff/ops.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb {

// y = log |Gamma(x)|;  dx += dy * digamma(x)
Var lgamma(Var x) {
  return unary_op("lgamma", x, [](float x) { return static_cast<float>(std::lgamma(static_cast<double>(x))); },
                  [](float dy, float x, float) { return dy * static_cast<float>(kernels::digamma(x)); });
}

// y = digamma(x);  dx += dy * trigamma(x)
Var digamma(Var x) {
  return unary_op("digamma", x, [](float x) { return static_cast<float>(kernels::digamma(x)); },
                  [](float dy, float x, float) { return dy * static_cast<float>(kernels::trigamma(x)); });
}

// y = E[log(1 - Z)], Z ~ Kumaraswamy(a, b) (no closed form: a quadrature in double, see
// kernels/special_functions.h);  da += dy * dy/da,  db += dy * dy/db, the derivatives
// integrated on the same nodes.
Var kumaraswamy_log1m_mean(Var a, Var b) {
  auto mean = [](float a_value, float b_value) { return kernels::kumaraswamy_log1m_mean(a_value, b_value); };
  return binary_op(
      "kumaraswamy_log1m_mean", a, b, [mean](float a, float b) { return static_cast<float>(mean(a, b).value); },
      [mean](float dy, float a, float b, float) { return dy * static_cast<float>(mean(a, b).d_a); },
      [mean](float dy, float a, float b, float) { return dy * static_cast<float>(mean(a, b).d_b); });
}

}  // namespace aevb
