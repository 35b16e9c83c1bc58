// Kumaraswamy(a, b): density a b x^(a-1) (1 - x^a)^(b-1) on (0, 1).
#include <cmath>
#include <numbers>

#include "nn/distributions/kumaraswamy.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Kumaraswamy::Kumaraswamy(Var a, Var b) : a_(a), b_(b) {
  check(a.shape() == b.shape(), "Kumaraswamy: a ", a.shape(), " and b ", b.shape(), " must have the same shape");
  check_positive("Kumaraswamy", "a", a);
  check_positive("Kumaraswamy", "b", b);
}

// z = (1 - (1 - u)^(1/b))^(1/a) = exp(log1p(-exp(L / b)) / a), the noise leaf L = log(1 - u)
Var Kumaraswamy::rsample(Rng& rng) {
  Tape& tape = a_.tape();
  Var log_one_minus_u = tape.noise(a_.shape());
  float* draws = tape.value_buffer(log_one_minus_u);
  for (int64_t i = 0; i < log_one_minus_u.numel(); ++i) draws[i] = std::log1p(-rng.uniform());
  return exp(div(log1p(neg(exp(div(log_one_minus_u, b_)))), a_));
}

// log p = log a + log b + (a - 1) log x + (b - 1) log(1 - x^a)
// log a + log b + (a - 1) log x + (b - 1) log(1 - x^a) on [0, 1], -inf elsewhere (log(a b) at 0 when a = 1)
Var Kumaraswamy::log_prob(Var x) {
  Var at = inside_or(x, on_unit_interval, 0.5f);
  Var body = add(add(log(a_), log(b_)), xlogy(sub(a_, 1.0f), at));
  body = add(body, xlog1py(sub(b_, 1.0f), neg(power_nonnegative(at, a_))));
  return restrict_to_support(body, x, on_unit_interval, -std::numeric_limits<float>::infinity());
}

// H = (1 - 1/b) + (1 - 1/a) H_b - log(a b), with the harmonic number H_b = digamma(b + 1) + gamma
Var Kumaraswamy::entropy() {
  Var harmonic = add(digamma(add(b_, 1.0f)), std::numbers::egamma_v<float>);
  return sub(add(1.0f - pow(b_, -1.0f), mul(1.0f - pow(a_, -1.0f), harmonic)), log(mul(a_, b_)));
}

// E x^r = b B(1 + r/a, b) = b Gamma(1 + r/a) Gamma(b) / Gamma(1 + r/a + b)
Var Kumaraswamy::moment(float order) {
  Var shifted = add(mul(pow(a_, -1.0f), order), 1.0f);
  return mul(b_, exp(sub(add(lgamma(shifted), lgamma(b_)), lgamma(add(shifted, b_)))));
}
Var Kumaraswamy::mean() { return moment(1.0f); }
Var Kumaraswamy::variance() { return sub(moment(2.0f), square(moment(1.0f))); }

// F = 1 - (1 - x^a)^b = -expm1(b log(1 - x^a))
Var Kumaraswamy::cdf(Var x) {
  Var inside = clamp(x, 0.0f, 1.0f);
  return neg(expm1(mul(b_, log1p(neg(exp(mul(a_, log(inside))))))));
}

// F^-1(u) = (1 - (1 - u)^(1/b))^(1/a)
Var Kumaraswamy::icdf(Var u) { return exp(div(log1p(neg(exp(div(log1p(neg(u)), b_)))), a_)); }

}  // namespace aevb::nn
