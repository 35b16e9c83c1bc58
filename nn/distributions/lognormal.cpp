// LogNormal(loc, scale): the distribution of exp(z) for z ~ Normal(loc, scale).
#include "nn/distributions/distributions.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

LogNormal::LogNormal(Var loc, Var scale) : base_(loc, scale) {}

// Change of variables x = e^z: log p(x) = log p_z(log x) - log x
Var LogNormal::log_prob(Var x) {
  Var log_x = log(x);
  return sub(base_.log_prob(log_x), log_x);
}
// H = H(Normal) + loc
Var LogNormal::entropy() { return add(base_.entropy(), base_.loc()); }
// E x = exp(loc + scale^2 / 2)
Var LogNormal::mean() { return exp(add(base_.loc(), mul(square(base_.scale()), 0.5f))); }
// Var x = (exp(scale^2) - 1) exp(2 loc + scale^2)
Var LogNormal::variance() {
  Var scale_squared = square(base_.scale());
  return mul(expm1(scale_squared), exp(add(mul(base_.loc(), 2.0f), scale_squared)));
}

}  // namespace aevb::nn
