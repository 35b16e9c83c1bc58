// Logistic(loc, scale): cdf sigmoid(z), z = (x - loc) / scale.
#include <cmath>
#include <numbers>

#include "nn/distributions/logistic.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Logistic::Logistic(Var loc, Var scale) : LocationScale("Logistic", loc, scale, log(scale)) {}

// eps = logit(u) = log u - log(1 - u)
float Logistic::standard_draw(Rng& rng) const { return draw_standard_logistic(rng); }

// log p(z) = -z - 2 softplus(-z)
Var Logistic::standard_log_density(Var z) const { return sub(neg(z), mul(softplus(neg(z)), 2.0f)); }

Var Logistic::standard_cdf(Var z) const { return sigmoid(z); }

// y = log u - log(1 - u);  du += dy / (u (1 - u))
Var Logistic::standard_icdf(Var u) const {
  return unary_op("logit", u, [](float v) { return std::log(v) - std::log1p(-v); },
                  [](float dy, float v, float) { return dy / (v * (1 - v)); });
}

double Logistic::standard_variance() const { return std::numbers::pi * std::numbers::pi / 3.0; }

}  // namespace aevb::nn
