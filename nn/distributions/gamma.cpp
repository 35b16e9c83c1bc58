// Gamma(a, r) and ChiSquared(k), with implicit reparameterization.
#include <algorithm>
#include <cmath>

#include "autodiff/kernels/special_functions.h"
#include "nn/distributions/gamma.h"
#include "nn/distributions/support.h"

namespace aevb::nn {
// Marsaglia & Tsang (2000) for a >= 1; for a < 1, G(a) = G(a + 1) U^(1/a), taken in
// log space: log G(a) = log G(a + 1) + log(U) / a. At small shapes the draws reach far
// below any floating-point range (Gamma(0.05): 1% below 1e-40, and U^(1/a) underflows
// double for a < 0.003), so the log is the exact form and the value rounds only once.
double draw_log_standard_gamma(double a, Rng& rng) {
  if (a < 1) {
    const double u = rng.uniform();
    return draw_log_standard_gamma(a + 1, rng) + std::log(u) / a;
  }
  const double d = a - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    const double x = rng.normal();
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    if (std::log(rng.uniform()) < 0.5 * x * x + d - d * v + d * std::log(v)) return std::log(d * v);
  }
}

double draw_standard_gamma(double a, Rng& rng) { return std::exp(draw_log_standard_gamma(a, rng)); }

namespace {

// dP(a, x)/da by a central difference of the double-precision P: its error (about
// 1e-15 / h + h^2 P''') stays near 1e-10, far below float32's resolution.
double gamma_cdf_slope_in_a(double a, double x) {
  const double h = std::min(1e-5 * std::max(1.0, a), 0.5 * a);
  return (kernels::regularized_gamma_p(a + h, x) - kernels::regularized_gamma_p(a - h, x)) / (2 * h);
}

double standard_gamma_density(double a, double x) { return std::exp((a - 1) * std::log(x) - x - std::lgamma(a)); }

}  // namespace

// g ~ Gamma(a, 1);  da += dg * (-(dP(a, g)/da) / p(g; a))   (the implicit function theorem on P(g; a) = u)
Var standard_gamma_sample(Var concentration, Rng& rng) {
  check_positive("standard_gamma_sample", "concentration", concentration);
  Tape& tape = concentration.tape();
  Var g = tape.record("standard_gamma_sample", concentration.shape(), {concentration});
  float* draws = tape.value_buffer(g);
  // No clamp: a draw below float's range is what float holds of it (as small as 1e-45,
  // or 0 where the kernels flush subnormals), as for any other value.
  for (int64_t i = 0; i < g.numel(); ++i)
    draws[i] = static_cast<float>(draw_standard_gamma(concentration.data()[i], rng));
  tape.set_backward(g, [concentration, g] {
    for (int64_t i = 0; i < g.numel(); ++i) {
      const double a = concentration.data()[i], x = g.data()[i];
      concentration.grad()[i] +=
          static_cast<float>(g.grad()[i] * (-gamma_cdf_slope_in_a(a, x) / standard_gamma_density(a, x)));
    }
  });
  return g;
}

Gamma::Gamma(Var concentration, Var rate) : Gamma("Gamma", concentration, rate) {}

Gamma::Gamma(const char* family, Var concentration, Var rate)
    : family_(family), concentration_(concentration), rate_(rate) {
  check(concentration.shape() == rate.shape(), family, ": concentration ", concentration.shape(), " and rate ",
        rate.shape(), " must have the same shape");
  check_positive(family, "concentration", concentration);
  check_positive(family, "rate", rate);
}

Var Gamma::rsample(Rng& rng) { return div(standard_gamma_sample(concentration_, rng), rate_); }

// log p = a log r + (a - 1) log x - r x - lgamma(a), -inf below 0
// a log r + (a - 1) log x - r x - lgamma(a) on [0, inf), -inf elsewhere (log r at x = 0 when a = 1)
Var Gamma::log_prob(Var x) {
  Var at = inside_or(x, on_half_line, 1.0f);
  Var body = sub(add(mul(concentration_, log(rate_)), xlogy(sub(concentration_, 1.0f), at)),
                 add(mul(rate_, at), lgamma(concentration_)));
  return restrict_to_support(body, x, on_half_line, -std::numeric_limits<float>::infinity());
}

Var Gamma::entropy() {
  return add(add(sub(concentration_, log(rate_)), lgamma(concentration_)),
             mul(1.0f - concentration_, digamma(concentration_)));
}
Var Gamma::mean() { return div(concentration_, rate_); }
Var Gamma::variance() { return div(concentration_, square(rate_)); }

// F = P(a, r x);  da += dy dP/da (numerical, as above);  d(rx) += dy p(rx; a)
Var Gamma::cdf(Var x) {
  return binary_op(
      "gamma_cdf", concentration_, mul(rate_, clamp(x, 0.0f, std::numeric_limits<float>::infinity())),
      [](float a, float y) { return static_cast<float>(kernels::regularized_gamma_p(a, y)); },
      [](float dy, float a, float y, float) {
        return y > 0 ? dy * static_cast<float>(gamma_cdf_slope_in_a(a, y)) : 0.0f;
      },
      [](float dy, float a, float y, float) {
        return y > 0 ? dy * static_cast<float>(standard_gamma_density(a, y)) : 0.0f;
      });
}

namespace {
Var half_of(Var degrees_of_freedom) {
  check_positive("ChiSquared", "degrees of freedom", degrees_of_freedom);
  return mul(degrees_of_freedom, 0.5f);
}
}  // namespace

ChiSquared::ChiSquared(Var degrees_of_freedom)
    : Gamma("ChiSquared", half_of(degrees_of_freedom),
            degrees_of_freedom.tape().constant(degrees_of_freedom.shape(), 0.5f)) {}

}  // namespace aevb::nn
