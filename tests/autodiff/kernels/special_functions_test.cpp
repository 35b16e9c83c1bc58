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
using aevb::kernels::regularized_beta;
using aevb::kernels::regularized_gamma_p;

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

TEST_CASE("regularized_gamma_p matches closed forms on both sides of its switch") {
  for (double x : {0.01, 0.5, 1.0, 3.0, 10.0, 40.0}) {
    CAPTURE(x);
    CHECK(regularized_gamma_p(1.0, x) == doctest::Approx(-std::expm1(-x)).epsilon(1e-13));        // Exponential cdf
    CHECK(regularized_gamma_p(0.5, x) == doctest::Approx(std::erf(std::sqrt(x))).epsilon(1e-13));  // chi-squared(1)
    CHECK(regularized_gamma_p(2.0, x) == doctest::Approx(1 - std::exp(-x) * (1 + x)).epsilon(1e-12));
  }
  CHECK(regularized_gamma_p(3.0, 0) == 0);
  CHECK(regularized_gamma_p(3.0, INFINITY) == 1);
  CHECK(std::isnan(regularized_gamma_p(-1.0, 1.0)));
}

TEST_CASE("regularized_beta matches closed forms on both sides of its switch") {
  for (double x : {0.01, 0.2, 0.5, 0.8, 0.99}) {
    CAPTURE(x);
    CHECK(regularized_beta(x, 1, 1) == doctest::Approx(x).epsilon(1e-13));
    CHECK(regularized_beta(x, 2.5, 1) == doctest::Approx(std::pow(x, 2.5)).epsilon(1e-13));
    CHECK(regularized_beta(x, 1, 3.5) == doctest::Approx(1 - std::pow(1 - x, 3.5)).epsilon(1e-13));
    CHECK(regularized_beta(x, 2, 3) == doctest::Approx(1 - regularized_beta(1 - x, 3, 2)).epsilon(1e-13));
  }
  CHECK(regularized_beta(0.5, 4.2, 4.2) == doctest::Approx(0.5).epsilon(1e-13));
  CHECK(regularized_beta(0.0, 2, 3) == 0);
  CHECK(regularized_beta(1.0, 2, 3) == 1);
}
