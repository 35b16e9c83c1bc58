#include "autodiff/kernels/special_functions.h"

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

}  // namespace aevb::kernels
