// Exponential(rate): density rate e^(-rate x) on x >= 0, drawn by inverting its cdf.
#include <cmath>
#include <limits>

#include "nn/distributions/exponential.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Exponential::Exponential(Var rate) : rate_(rate) { check_positive("Exponential", "rate", rate); }

// z = F^-1(u) / rate with F^-1(u) = -log(1 - u), the standard exponential: the noise
// leaf holds -log(1 - u), and the gradient reaches the rate through the division.
Var Exponential::rsample(Rng& rng) {
  Tape& tape = rate_.tape();
  Var standard = tape.noise(rate_.shape());
  float* draws = tape.value_buffer(standard);
  for (int64_t i = 0; i < standard.numel(); ++i) draws[i] = -std::log1p(-rng.uniform());
  return div(standard, rate_);
}

// log p(x) = log rate - rate x on [0, inf), -inf elsewhere (where no gradient reaches the rate)
Var Exponential::log_prob(Var x) {
  // Outside, the body reads an interior point, so that no inf * 0 reaches the rate.
  const Var at = inside_or(x, on_half_line, 1.0f);
  return restrict_to_support(sub(log(rate_), mul(rate_, at)), x, on_half_line, -std::numeric_limits<float>::infinity());
}
Var Exponential::entropy() { return 1.0f - log(rate_); }
Var Exponential::mean() { return pow(rate_, -1.0f); }
Var Exponential::variance() { return pow(rate_, -2.0f); }
// F(x) = 1 - e^(-rate x) = -expm1(-rate x)
Var Exponential::cdf(Var x) {
  return neg(expm1(neg(mul(rate_, clamp(x, 0.0f, std::numeric_limits<float>::infinity())))));
}
Var Exponential::icdf(Var u) { return div(neg(log1p(neg(u))), rate_); }

}  // namespace aevb::nn
