// LogNormal(loc, scale): the distribution of exp(z) for z ~ Normal(loc, scale).
#include "nn/distributions/lognormal.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

LogNormal::LogNormal(Var loc, Var scale) : base_(loc, scale) {}

// Change of variables x = e^z: log p(x) = log p_z(log x) - log x
// normal log density of log x, minus log x, on (0, inf); -inf elsewhere (the density is 0 at 0)
Var LogNormal::log_prob(Var x) {
  Var log_x = log(inside_or(x, on_open_half_line, 1.0f));
  return restrict_to_support(sub(base_.log_prob(log_x), log_x), x, on_open_half_line,
                             -std::numeric_limits<float>::infinity());
}

// Phi((log x - loc) / scale) above 0 (1 at +inf), 0 at and below 0
Var LogNormal::cdf(Var x) {
  auto positive = [](float v) { return v > 0.0f; };
  return restrict_to_support(base_.cdf(log(inside_or(x, positive, 1.0f))), x, positive, 0.0f);
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
