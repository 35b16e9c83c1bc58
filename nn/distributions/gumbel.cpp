// Gumbel(loc, scale): cdf exp(-exp(-z)), z = (x - loc) / scale.
#include <cmath>
#include <numbers>

#include "nn/distributions/gumbel.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Gumbel::Gumbel(Var loc, Var scale) : LocationScale("Gumbel", loc, scale, log(scale)) {}

// eps = -log(-log u)
float Gumbel::standard_draw(Rng& rng) const { return draw_standard_gumbel(rng); }

// log p(z) = -(z + e^-z)
Var Gumbel::standard_log_density(Var z) const { return neg(add(z, exp(neg(z)))); }

// y = exp(-exp(-z));  dz += dy exp(-z - exp(-z))
Var Gumbel::standard_cdf(Var z) const {
  return unary_op("gumbel_cdf", z, [](float v) { return std::exp(-std::exp(-v)); },
                  [](float dy, float v, float) { return dy * std::exp(-v - std::exp(-v)); });
}

// y = -log(-log u);  du += dy / (-u log u)
Var Gumbel::standard_icdf(Var u) const {
  return unary_op("gumbel_icdf", u, [](float v) { return -std::log(-std::log(v)); },
                  [](float dy, float v, float) { return dy / (-v * std::log(v)); });
}

// H = gamma + 1 (+ log scale); mean gamma; variance pi^2 / 6 (gamma: Euler's constant)
double Gumbel::standard_entropy() const { return std::numbers::egamma + 1.0; }
double Gumbel::standard_mean() const { return std::numbers::egamma; }
double Gumbel::standard_variance() const { return std::numbers::pi * std::numbers::pi / 6.0; }

}  // namespace aevb::nn
