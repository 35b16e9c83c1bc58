#include "autodiff/kernels/special_functions.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace aevb::kernels {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Below this, the recurrences shift x up; from here the first omitted term of the
// asymptotic series (about 0.02 / x^12) is below 1e-13.
constexpr double kAsymptoticFrom = 10.0;

bool is_pole(double x) { return x <= 0 && x == std::floor(x); }
}  // namespace

double digamma(double x) {
  if (std::isnan(x) || x == -std::numeric_limits<double>::infinity() || is_pole(x)) return kNaN;
  if (std::isinf(x)) return x;
  double result = 0;
  if (x < 0) {
    // Reflection: digamma(1 - x) - digamma(x) = pi / tan(pi x)
    result -= std::numbers::pi / std::tan(std::numbers::pi * x);
    x = 1 - x;
  }
  while (x < kAsymptoticFrom) {  // digamma(x) = digamma(x + 1) - 1/x
    result -= 1 / x;
    x += 1;
  }
  double inv2 = 1 / (x * x);
  // ln x - 1/(2x) - sum B_2k / (2k x^2k)
  result += std::log(x) - 0.5 / x -
            inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
  return result;
}

double trigamma(double x) {
  if (std::isnan(x) || x == -std::numeric_limits<double>::infinity() || is_pole(x)) return kNaN;
  if (std::isinf(x)) return 0;
  double result = 0;
  if (x < 0) {
    // Reflection: trigamma(1 - x) + trigamma(x) = pi^2 / sin^2(pi x)
    double s = std::sin(std::numbers::pi * x);
    return std::numbers::pi * std::numbers::pi / (s * s) - trigamma(1 - x);
  }
  while (x < kAsymptoticFrom) {  // trigamma(x) = trigamma(x + 1) + 1/x^2
    result += 1 / (x * x);
    x += 1;
  }
  double inv = 1 / x, inv2 = inv * inv;
  // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)
  result += inv + 0.5 * inv2 +
            inv * inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30 - inv2 * (5.0 / 66)))));
  return result;
}

double normal_quantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {  // the central region: a rational function of q^2
    const double r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
             133.14166789178437745) * r + 3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
             42.313330701600911252) * r + 1.0);
  }
  double r = std::sqrt(-std::log(q < 0 ? p : 1 - p));  // the tails: a rational function of sqrt(-log p)
  double value;
  if (r <= 5) {
    r -= 1.6;
    value = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
              4.6303378461565452959) * r + 1.42343711074968357734) /
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5;
    value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
              5.4637849111641143699) * r + 6.6579046435011037772) /
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -value : value;
}

namespace {
constexpr double kTiny = 1e-300;          // keeps Lentz's continued fractions off zero
constexpr double kRelativeError = 1e-15;  // stop when a term changes the sum by less
constexpr int kMaxTerms = 1000;

// sum_n x^n / (a (a+1) ... (a+n)), times x^a e^-x / Gamma(a)
double gamma_p_series(double a, double x) {
  double term = 1 / a, sum = term;
  for (int n = 1; n < kMaxTerms; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kRelativeError) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Q(a, x) = 1 - P(a, x) by Lentz's method on its continued fraction
double gamma_q_continued_fraction(double a, double x) {
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < kMaxTerms; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kRelativeError) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

double beta_continued_fraction(double a, double b, double x) {
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m < kMaxTerms; ++m) {
    const int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kRelativeError) break;
  }
  return h;
}
}  // namespace

double regularized_gamma_p(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || a <= 0) return kNaN;
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  return x < a + 1 ? gamma_p_series(a, x) : 1 - gamma_q_continued_fraction(a, x);
}

double regularized_beta(double x, double a, double b) {
  if (std::isnan(x) || std::isnan(a) || std::isnan(b) || a <= 0 || b <= 0) return kNaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  // The continued fraction converges fast below the mean; above it, use I_x(a,b) = 1 - I_(1-x)(b,a).
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

KumaraswamyLog1mMean kumaraswamy_log1m_mean(double a, double b) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(a > 0.0 && b > 0.0 && std::isfinite(a) && std::isfinite(b))) return {nan, nan, nan};
  // The integrand g(w) = log(1 - y), y = (1 - x)^(1/a), x = w^(1/b), and its derivatives
  //   dg/da = y L / (a^2 (1 - y)),  dg/db = -y x log(w) / (a b^2 (1 - y) (1 - x)),  L = log(1 - x),
  // at a node given by log w and log(1 - w) (both exact near their end).
  auto integrand = [a, b](double log_w, double& g, double& g_a, double& g_b) {
    const double log_x = log_w / b;
    const double x = std::exp(log_x);
    if (x < 1e-15) {  // x -> 0: 1 - y = x / a (1 + O(x))
      g = log_x - std::log(a);
      g_a = -1.0 / a;
      g_b = -log_w / (b * b);
      return;
    }
    const double one_minus_x = -std::expm1(log_x);
    const double log_one_minus_x = x < 0.5 ? std::log1p(-x) : std::log(one_minus_x);
    const double y = std::exp(log_one_minus_x / a), one_minus_y = -std::expm1(log_one_minus_x / a);
    g = std::log(one_minus_y);
    g_a = y * log_one_minus_x / (a * a * one_minus_y);
    g_b = -y * x * log_w / (a * b * b * one_minus_y * one_minus_x);
  };
  // Tanh-sinh: w(t) = 1 / (1 + exp(-pi sinh t)), dw/dt = pi cosh t w (1 - w); the
  // trapezoid rule in t converges double-exponentially for integrands singular at the ends.
  auto trapezoid = [&](double h, double sums[3]) {
    sums[0] = sums[1] = sums[2] = 0.0;
    for (int side : {-1, 1})
      for (int k = side < 0 ? 1 : 0;; ++k) {
        const double t = side * k * h, s = std::numbers::pi * std::sinh(t);
        // log w = -log(1 + e^-s), log(1 - w) = -log(1 + e^s), each without overflow.
        const double log_w = s > 0 ? -std::log1p(std::exp(-s)) : s - std::log1p(std::exp(s));
        const double log_one_minus_w = s > 0 ? -s - std::log1p(std::exp(-s)) : -std::log1p(std::exp(s));
        const double weight = h * std::numbers::pi * std::cosh(t) * std::exp(log_w + log_one_minus_w);
        if (weight < 1e-300 || k > 10000) break;
        double g, g_a, g_b;
        integrand(log_w, g, g_a, g_b);
        sums[0] += weight * g;
        sums[1] += weight * g_a;
        sums[2] += weight * g_b;
        // Past |t| ~ 3 the weights fall faster than any power; stop once negligible.
        if (k > 4 && std::fabs(weight * g) < 1e-17 && std::fabs(weight * g_b) < 1e-17) break;
      }
  };
  double coarse[3], fine[3];
  double h = 0.5;
  trapezoid(h, coarse);
  for (int level = 0; level < 8; ++level) {
    h /= 2;
    trapezoid(h, fine);
    bool agree = true;
    for (int i = 0; i < 3; ++i)
      agree = agree && std::fabs(fine[i] - coarse[i]) <= 1e-13 * std::max(1.0, std::fabs(fine[i]));
    if (agree) break;
    std::copy(fine, fine + 3, coarse);
  }
  return {fine[0], fine[1], fine[2]};
}

}  // namespace aevb::kernels
