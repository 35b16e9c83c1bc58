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

}  // namespace aevb::kernels
