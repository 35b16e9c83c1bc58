// Special functions: log-gamma and digamma, which the Gamma, Beta and Kumaraswamy
// distributions need, with derivatives digamma and trigamma.
#include <cmath>

#include "autodiff/kernels/special_functions.h"
#include "autodiff/ops.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb {

// y = log |Gamma(x)|;  dx += dy * digamma(x)
Var lgamma(Var x) {
  return unary_op("lgamma", x, [](float v) { return static_cast<float>(std::lgamma(static_cast<double>(v))); },
                  [](float dy, float v, float) { return dy * static_cast<float>(kernels::digamma(v)); });
}

// y = digamma(x);  dx += dy * trigamma(x)
Var digamma(Var x) {
  return unary_op("digamma", x, [](float v) { return static_cast<float>(kernels::digamma(v)); },
                  [](float dy, float v, float) { return dy * static_cast<float>(kernels::trigamma(v)); });
}

}  // namespace aevb
