// Special functions the distributions need, with their derivatives:
//   d/dx lgamma(x) = digamma(x),   d/dx digamma(x) = trigamma(x).
// Computed in double. Poles (x = 0, -1, -2, ...) give NaN: the limit's sign depends on
// the side from which x approaches.
#pragma once

namespace aevb::kernels {

double digamma(double x);
double trigamma(double x);

// The standard normal quantile: Phi^-1(p) for p in (0, 1), -inf at 0, +inf at 1, NaN
// outside [0, 1]. Wichura's algorithm AS241 (PPND16), accurate to about 1e-16.
double normal_quantile(double p);

// The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a), the
// Gamma distribution's cdf: a series below x = a + 1, a continued fraction above
// (Numerical Recipes, 3rd ed., 6.2). a > 0; 0 for x <= 0.
double regularized_gamma_p(double a, double x);
// The regularized incomplete beta function I_x(a, b), the Beta distribution's cdf, by
// its continued fraction (Numerical Recipes, 6.4). a, b > 0; 0 below 0, 1 above 1.
double regularized_beta(double x, double a, double b);

// E[log(1 - Z)] for Z ~ Kumaraswamy(a, b), with its derivatives in a and b: the term of
// KL(Kumaraswamy || Beta) that has no closed form. Z = (1 - w^(1/b))^(1/a) for w uniform
// on (0, 1), so E[log(1 - Z)] = integral_0^1 log(1 - (1 - w^(1/b))^(1/a)) dw, whose
// integrand is singular (like log w / b) at w = 0. Tanh-sinh quadrature handles that
// singularity; the step is halved until two levels agree to 1e-13 (relative to
// max(1, |value|)), which bounds the coarser level's error, so the value returned (the
// finer one) is good to about 1e-13. The integrand is evaluated with log1p and expm1 so
// that neither end loses digits. a, b > 0; NaN otherwise.
struct KumaraswamyLog1mMean {
  double value, d_a, d_b;
};
KumaraswamyLog1mMean kumaraswamy_log1m_mean(double a, double b);

}  // namespace aevb::kernels
