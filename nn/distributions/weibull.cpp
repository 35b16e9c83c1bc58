// Weibull(scale, k): density (k / scale) (x / scale)^(k-1) exp(-(x / scale)^k) on x >= 0.
#include <cmath>
#include <limits>
#include <numbers>

#include "nn/distributions/weibull.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Weibull::Weibull(Var scale, Var concentration) : scale_(scale), concentration_(concentration) {
  check(scale.shape() == concentration.shape(), "Weibull: scale ", scale.shape(), " and concentration ",
        concentration.shape(), " must have the same shape");
  check_positive("Weibull", "scale", scale);
  check_positive("Weibull", "concentration", concentration);
}

// z = scale * exp(log(E) / k): the noise leaf holds log E, E = -log(1 - u) ~ Exponential(1).
Var Weibull::rsample(Rng& rng) {
  Tape& tape = scale_.tape();
  Var log_exponential = tape.noise(scale_.shape());
  float* draws = tape.value_buffer(log_exponential);
  for (int64_t i = 0; i < log_exponential.numel(); ++i) draws[i] = std::log(-std::log1p(-rng.uniform()));
  return mul(scale_, exp(div(log_exponential, concentration_)));
}

// log p = log k - log scale + (k - 1) log(x / scale) - (x / scale)^k, -inf below 0
// log k - log s + (k - 1) log(x / s) - (x / s)^k on [0, inf), -inf elsewhere (-log s at x = 0 when k = 1)
Var Weibull::log_prob(Var x) {
  Var ratio = div(inside_or(x, on_half_line, 1.0f), scale_);
  Var body = sub(add(sub(log(concentration_), log(scale_)), xlogy(sub(concentration_, 1.0f), ratio)),
                 power_nonnegative(ratio, concentration_));
  return restrict_to_support(body, x, on_half_line, -std::numeric_limits<float>::infinity());
}

Var Weibull::entropy() {
  return add(
      add(mul(1.0f - pow(concentration_, -1.0f), std::numbers::egamma_v<float>), log(div(scale_, concentration_))),
      1.0f);
}

Var Weibull::mean() { return mul(scale_, exp(lgamma(add(pow(concentration_, -1.0f), 1.0f)))); }

Var Weibull::variance() {
  Var first = exp(lgamma(add(pow(concentration_, -1.0f), 1.0f)));
  Var second = exp(lgamma(add(mul(pow(concentration_, -1.0f), 2.0f), 1.0f)));
  return mul(square(scale_), sub(second, square(first)));
}

// F = 1 - exp(-(x / scale)^k) = -expm1(-(x / scale)^k), for x >= 0
Var Weibull::cdf(Var x) {
  Var ratio = div(clamp(x, 0.0f, std::numeric_limits<float>::infinity()), scale_);
  return neg(expm1(neg(exp(mul(concentration_, log(ratio))))));  // ratio^k = exp(k log ratio)
}

// F^-1(u) = scale (-log(1 - u))^(1/k)
Var Weibull::icdf(Var u) { return mul(scale_, exp(div(log(neg(log1p(neg(u)))), concentration_))); }

}  // namespace aevb::nn
