// Cauchy(loc, scale): density 1 / (pi scale (1 + z^2)), z = (x - loc) / scale.
#include <cmath>
#include <numbers>

#include "nn/distributions/cauchy.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Cauchy::Cauchy(Var loc, Var scale) : LocationScale("Cauchy", loc, scale, log(scale)) {}

// eps = tan(pi (u - 1/2))
float Cauchy::standard_draw(Rng& rng) const {
  return static_cast<float>(std::tan(std::numbers::pi * (static_cast<double>(rng.uniform()) - 0.5)));
}

// log p(z) = -log pi - log(1 + z^2)
Var Cauchy::standard_log_density(Var z) const {
  return sub(neg(log1p(square(z))), static_cast<float>(std::log(std::numbers::pi)));
}

// y = 1/2 + atan(z) / pi;  dz += dy / (pi (1 + z^2))
Var Cauchy::standard_cdf(Var z) const {
  return unary_op("cauchy_cdf", z, [](float v) { return 0.5f + std::atan(v) / std::numbers::pi_v<float>; },
                  [](float dy, float v, float) { return dy / (std::numbers::pi_v<float> * (1 + v * v)); });
}

// y = tan(pi (u - 1/2));  du += dy pi (1 + y^2)
Var Cauchy::standard_icdf(Var u) const {
  return unary_op(
      "cauchy_icdf", u,
      [](float v) { return static_cast<float>(std::tan(std::numbers::pi * (static_cast<double>(v) - 0.5))); },
      [](float dy, float, float y) { return dy * std::numbers::pi_v<float> * (1 + y * y); });
}

// H = log(4 pi) (+ log scale)
double Cauchy::standard_entropy() const { return std::log(4.0 * std::numbers::pi); }

}  // namespace aevb::nn
