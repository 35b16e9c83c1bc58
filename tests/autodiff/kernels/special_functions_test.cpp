// Tests for autodiff/kernels/special_functions.cpp against known values.
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>

#include "autodiff/kernels/special_functions.h"

using aevb::kernels::digamma;
using aevb::kernels::trigamma;
using aevb::kernels::normal_quantile;

TEST_CASE("digamma matches known values across the recurrence and the series") {
  const double euler_gamma = 0.57721566490153286;
  CHECK(digamma(1) == doctest::Approx(-euler_gamma).epsilon(1e-12));
  CHECK(digamma(0.5) == doctest::Approx(-euler_gamma - 2 * std::log(2.0)).epsilon(1e-12));
  CHECK(digamma(10) == doctest::Approx(2.251752589066721).epsilon(1e-12));
  CHECK(digamma(1e-6) == doctest::Approx(-1000000.577215).epsilon(1e-9));
  CHECK(digamma(-0.5) == doctest::Approx(0.03648997397857652).epsilon(1e-12));  // reflection
  CHECK(std::isnan(digamma(0)));
  CHECK(std::isnan(digamma(-3)));
}

TEST_CASE("trigamma matches known values") {
  CHECK(trigamma(1) == doctest::Approx(std::numbers::pi * std::numbers::pi / 6).epsilon(1e-12));
  CHECK(trigamma(0.5) == doctest::Approx(std::numbers::pi * std::numbers::pi / 2).epsilon(1e-12));
  CHECK(trigamma(10) == doctest::Approx(0.10516633568168575).epsilon(1e-13));
  CHECK(trigamma(-0.5) == doctest::Approx(8.934802200544704).epsilon(1e-12));  // reflection
  CHECK(trigamma(1e8) == doctest::Approx(1e-8).epsilon(1e-6));
  CHECK(trigamma(std::numeric_limits<double>::infinity()) == 0);
  CHECK(std::isnan(trigamma(-2)));
}

TEST_CASE("normal_quantile inverts the normal cdf in the centre and both tails") {
  CHECK(normal_quantile(0.5) == 0);
  CHECK(normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-14));
  CHECK(normal_quantile(1e-10) == doctest::Approx(-6.361340902404056).epsilon(1e-12));
  for (double x : {-30.0, -8.0, -5.5, -2.0, -0.3, 0.1, 1.0, 3.0, 6.0}) {
    CAPTURE(x);
    double p = 0.5 * std::erfc(-x / std::sqrt(2.0));
    if (x > 5) {  // 1 - p rounds away; invert the upper tail by symmetry instead
      CHECK(-normal_quantile(0.5 * std::erfc(x / std::sqrt(2.0))) == doctest::Approx(x).epsilon(1e-12));
    } else {
      CHECK(normal_quantile(p) == doctest::Approx(x).epsilon(1e-12));
    }
  }
  CHECK(std::isinf(normal_quantile(0)));
  CHECK(std::isnan(normal_quantile(1.5)));
}
