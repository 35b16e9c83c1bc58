// Normal(loc, scale): density exp(-z^2 / 2) / (scale sqrt(2 pi)), z = (x - loc) / scale.
#include <cmath>
#include <numbers>

#include "autodiff/kernels/special_functions.h"
#include "nn/distributions/normal.h"
#include "nn/distributions/support.h"

namespace aevb::nn {
namespace {
const double kHalfLogTwoPi = 0.5 * std::log(2.0 * std::numbers::pi);
double standard_density(double v) { return std::exp(-0.5 * v * v - kHalfLogTwoPi); }
}  // namespace

Normal::Normal(Var loc, Var scale) : LocationScale("Normal", loc, scale, log(scale)) {}

Normal::Normal(Var loc, Var scale, Var log_scale, Var log_variance)
    : LocationScale("Normal", loc, scale, log_scale), log_variance_(log_variance) {}

Normal Normal::from_log_variance(Var loc, Var log_variance) {
  check(loc.shape() == log_variance.shape(), "Normal: loc ", loc.shape(), " and log_variance ", log_variance.shape(),
        " must have the same shape");
  Var log_scale = mul(log_variance, 0.5f);
  return Normal(loc, exp(log_scale), log_scale, log_variance);
}

// With a log-variance the fused Gaussian NLL op is both faster and steadier.
Var Normal::log_prob(Var x) {
  if (log_variance_.defined() && x.shape() == loc_.shape()) return neg(gaussian_nll(x, loc_, log_variance_));
  return LocationScale::log_prob(x);
}

// log phi(z) = -z^2 / 2 - log sqrt(2 pi)
Var Normal::standard_log_density(Var z) const { return add(mul(square(z), -0.5f), static_cast<float>(-kHalfLogTwoPi)); }

// y = Phi(z) = erfc(-z / sqrt 2) / 2;  dz += dy phi(z)
Var Normal::standard_cdf(Var z) const {
  return unary_op(
      "normal_cdf", z, [](float v) { return static_cast<float>(0.5 * std::erfc(-v / std::numbers::sqrt2)); },
      [](float dy, float v, float) { return dy * static_cast<float>(standard_density(v)); });
}

// y = Phi^-1(u);  du += dy / phi(y)
Var Normal::standard_icdf(Var u) const {
  return unary_op("normal_icdf", u, [](float v) { return static_cast<float>(kernels::normal_quantile(v)); },
                  [](float dy, float, float y) { return dy / static_cast<float>(standard_density(y)); });
}

// H = 1/2 + log sqrt(2 pi) (+ log scale)
double Normal::standard_entropy() const { return 0.5 + kHalfLogTwoPi; }

}  // namespace aevb::nn
