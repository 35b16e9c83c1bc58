// Laplace(loc, scale): density exp(-|z|) / (2 scale), z = (x - loc) / scale.
#include <cmath>
#include <numbers>

#include "nn/distributions/laplace.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Laplace::Laplace(Var loc, Var scale) : LocationScale("Laplace", loc, scale, log(scale)) {}

// eps = -sign(v) log(1 - 2|v|), v = u - 1/2: the inverse cdf of a centred uniform
float Laplace::standard_draw(Rng& rng) const {
  float v = rng.uniform() - 0.5f;
  return v < 0 ? std::log1p(2 * v) : -std::log1p(-2 * v);
}

// log p(z) = -|z| - log 2
Var Laplace::standard_log_density(Var z) const { return add(neg(abs(z)), -std::numbers::ln2_v<float>); }

// y = e^z / 2 below 0, 1 - e^-z / 2 above;  dz += dy e^-|z| / 2
Var Laplace::standard_cdf(Var z) const {
  return unary_op("laplace_cdf", z, [](float v) { return v < 0 ? 0.5f * std::exp(v) : 1.0f - 0.5f * std::exp(-v); },
                  [](float dy, float v, float) { return dy * 0.5f * std::exp(-std::fabs(v)); });
}

// y = log(2u) below 1/2, -log(2 - 2u) above;  du += dy / u below, dy / (1 - u) above
Var Laplace::standard_icdf(Var u) const {
  return unary_op("laplace_icdf", u, [](float v) { return v < 0.5f ? std::log(2 * v) : -std::log(2 - 2 * v); },
                  [](float dy, float v, float) { return v < 0.5f ? dy / v : dy / (1 - v); });
}

// H = 1 + log 2 (+ log scale)
double Laplace::standard_entropy() const { return 1.0 + std::numbers::ln2; }

}  // namespace aevb::nn
