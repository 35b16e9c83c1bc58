// StudentT(df, loc, scale): density Gamma((df+1)/2) / (Gamma(df/2) sqrt(df pi) scale) (1 + z^2/df)^(-(df+1)/2).
#include <cmath>
#include <numbers>

#include "autodiff/kernels/special_functions.h"
#include "nn/distributions/student_t.h"
#include "nn/distributions/support.h"

namespace aevb::nn {
namespace {

double standard_t_log_density(double z, double df) {
  return std::lgamma((df + 1) / 2) - std::lgamma(df / 2) - 0.5 * std::log(df * std::numbers::pi) -
         (df + 1) / 2 * std::log1p(z * z / df);
}

// F(z) = 1 - I_x(df/2, 1/2) / 2 for z > 0 (and its mirror below), x = df / (df + z^2)
double standard_t_cdf(double z, double df) {
  const double tail = 0.5 * kernels::regularized_beta(df / (df + z * z), df / 2, 0.5);
  return z > 0 ? 1 - tail : tail;
}

// F^-1(u): Newton from the normal quantile, kept inside a shrinking bracket (bisection
// when a step leaves it), in double.
double standard_t_quantile(double u, double df) {
  if (u <= 0) return -INFINITY;
  if (u >= 1) return INFINITY;
  double low = -1e300, high = 1e300, t = kernels::normal_quantile(u);
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double f = standard_t_cdf(t, df) - u;
    if (f > 0) high = t; else low = t;
    if (std::fabs(f) < 1e-15) break;
    double next = t - f / std::exp(standard_t_log_density(t, df));
    if (!(next > low && next < high))
      next = std::isinf(low) || std::isinf(high) ? t * 2 - (f > 0 ? 1 : -1) : 0.5 * (low + high);
    if (std::fabs(next - t) <= 1e-15 * std::max(1.0, std::fabs(t))) break;
    t = next;
  }
  return t;
}

}  // namespace

StudentT::StudentT(float degrees_of_freedom, Var loc, Var scale)
    : LocationScale("StudentT", loc, scale, log(scale)), df_(degrees_of_freedom) {
  check(degrees_of_freedom > 0 && std::isfinite(degrees_of_freedom),
        "StudentT: degrees of freedom must be positive and finite, got ", degrees_of_freedom);
}

Var StudentT::variance() {
  if (df_ <= 2) undefined("the variance (for df <= 2)");
  return LocationScale::variance();
}

// eps = n / sqrt(c / df), c ~ chi-squared(df) = 2 Gamma(df / 2)
float StudentT::standard_draw(Rng& rng) const {
  const double n = rng.normal(), c = 2 * draw_standard_gamma(df_ / 2.0, rng);
  return static_cast<float>(n / std::sqrt(c / df_));
}

// log p(z) = const - (df + 1)/2 log(1 + z^2 / df)
Var StudentT::standard_log_density(Var z) const {
  const double df = df_;
  const float constant =
      static_cast<float>(std::lgamma((df + 1) / 2) - std::lgamma(df / 2) - 0.5 * std::log(df * std::numbers::pi));
  return add(mul(log1p(mul(square(z), 1.0f / df_)), static_cast<float>(-(df + 1) / 2)), constant);
}

// y = F(z);  dz += dy p(z)
Var StudentT::standard_cdf(Var z) const {
  const double df = df_;
  return unary_op(
      "student_t_cdf", z, [df](float v) { return static_cast<float>(standard_t_cdf(v, df)); },
      [df](float dy, float v, float) { return dy * static_cast<float>(std::exp(standard_t_log_density(v, df))); });
}

// y = F^-1(u);  du += dy / p(y)
Var StudentT::standard_icdf(Var u) const {
  const double df = df_;
  return unary_op(
      "student_t_icdf", u, [df](float v) { return static_cast<float>(standard_t_quantile(v, df)); },
      [df](float dy, float, float y) { return dy / static_cast<float>(std::exp(standard_t_log_density(y, df))); });
}

// H = (df+1)/2 (digamma((df+1)/2) - digamma(df/2)) + log(sqrt(df) B(df/2, 1/2))
double StudentT::standard_entropy() const {
  const double df = df_;
  return (df + 1) / 2 * (kernels::digamma((df + 1) / 2) - kernels::digamma(df / 2)) + 0.5 * std::log(df) +
         std::lgamma(df / 2) + std::lgamma(0.5) - std::lgamma(df / 2 + 0.5);
}

}  // namespace aevb::nn
