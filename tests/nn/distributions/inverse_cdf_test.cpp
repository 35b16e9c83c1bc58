// Tests for nn/distributions: the families drawn by an inverse cdf or by implicit reparameterization (Exponential,
// Weibull, Kumaraswamy, Gamma, ChiSquared, Beta, InverseCdfSampled).
#include <doctest/doctest.h>

#include "tests/nn/distributions/distribution_test_helpers.h"

using namespace aevb;
using namespace aevb::nn;
using namespace aevb::testing::distributions;

TEST_CASE("Exponential: KS, moments, density, entropy, pathwise gradient") {
  const float rate = 2.5f;
  Parameter rate_parameter("rate", Tensor::full({kDraws}, rate));
  Tape tape;
  Exponential d(tape.param(rate_parameter));
  Rng rng(5);
  Var z = d.rsample(rng);
  std::vector<double> draws(z.data(), z.data() + kDraws);
  CHECK(ks_statistic(draws, [&](double x) { return x < 0 ? 0 : 1 - std::exp(-rate * x); }) < kKsCritical);
  Summary m = summarize(draws);
  CHECK(std::fabs(m.mean - 1 / rate) < 5 * m.standard_error);
  CHECK(d.mean().data()[0] == doctest::Approx(1 / rate));
  CHECK(d.variance().data()[0] == doctest::Approx(1 / (rate * rate)));
  CHECK(d.log_prob(tape.constant({kDraws}, 0.4f)).data()[0] == doctest::Approx(std::log(rate) - rate * 0.4));
  CHECK(d.log_prob(tape.constant({kDraws}, -0.1f)).data()[0] == -INFINITY);
  CHECK(d.cdf(d.icdf(tape.constant({kDraws}, 0.8f))).data()[0] == doctest::Approx(0.8).epsilon(1e-5));
  Var negative_log = neg(d.log_prob(z));
  Summary h = summarize(std::vector<double>(negative_log.data(), negative_log.data() + kDraws));
  CHECK(std::fabs(d.entropy().data()[0] - h.mean) < 5 * h.standard_error);
  // d/drate E z = -1 / rate^2; each draw contributes dz/drate = -z / rate.
  tape.backward(mean(z));
  std::vector<double> per_draw;
  for (double zi : draws) per_draw.push_back(-zi / rate);
  Summary g = summarize(per_draw);
  double total = 0;
  for (float v : rate_parameter.grad().values()) total += v;
  CHECK(std::fabs(total - (-1 / (rate * rate))) < 5 * g.standard_error);
}

namespace {
// A two-parameter family beyond location-scale, with closed forms in double.
struct TwoParameterFamily {
  const char* name;
  float first, second;  // parameter values
  std::function<std::unique_ptr<Distribution>(Var, Var)> make;
  std::function<double(double x, double p, double q)> log_density, cdf, mean;
  std::function<double(double p, double q)> variance;
  bool unit_interval;  // support (0, 1); else (0, inf)
  bool has_icdf = true;
};

double lgamma_mean_kumaraswamy(double a, double b) {
  return b * std::exp(std::lgamma(1 + 1 / a) + std::lgamma(b) - std::lgamma(1 + 1 / a + b));
}

std::vector<TwoParameterFamily> two_parameter_families() {
  return {
      {"Weibull", 1.5f, 1.8f, [](Var s, Var k) { return std::make_unique<Weibull>(s, k); },
       [](double x, double s, double k) { return std::log(k / s) + (k - 1) * std::log(x / s) - std::pow(x / s, k); },
       [](double x, double s, double k) { return x <= 0 ? 0.0 : 1 - std::exp(-std::pow(x / s, k)); },
       [](double, double s, double k) { return s * std::tgamma(1 + 1 / k); },
       [](double s, double k) { return s * s * (std::tgamma(1 + 2 / k) - std::pow(std::tgamma(1 + 1 / k), 2)); },
       false},
      {"Kumaraswamy", 2.0f, 3.5f, [](Var a, Var b) { return std::make_unique<Kumaraswamy>(a, b); },
       [](double x, double a, double b) {
         return std::log(a * b) + (a - 1) * std::log(x) + (b - 1) * std::log1p(-std::pow(x, a));
       },
       [](double x, double a, double b) { return x <= 0   ? 0.0
                                                 : x >= 1 ? 1.0
                                                          : 1 - std::pow(1 - std::pow(x, a), b); },
       [](double, double a, double b) { return lgamma_mean_kumaraswamy(a, b); },
       [](double a, double b) {
         double m2 = b * std::exp(std::lgamma(1 + 2 / a) + std::lgamma(b) - std::lgamma(1 + 2 / a + b));
         return m2 - std::pow(lgamma_mean_kumaraswamy(a, b), 2);
       },
       true},
      {"Gamma", 2.5f, 1.5f, [](Var a, Var r) { return std::make_unique<Gamma>(a, r); },
       [](double x, double a, double r) { return a * std::log(r) + (a - 1) * std::log(x) - r * x - std::lgamma(a); },
       [](double x, double a, double r) { return aevb::kernels::regularized_gamma_p(a, r * x); },
       [](double, double a, double r) { return a / r; }, [](double a, double r) { return a / (r * r); }, false, false},
      {"Gamma with concentration below 1", 0.5f, 2.0f, [](Var a, Var r) { return std::make_unique<Gamma>(a, r); },
       [](double x, double a, double r) { return a * std::log(r) + (a - 1) * std::log(x) - r * x - std::lgamma(a); },
       [](double x, double a, double r) { return aevb::kernels::regularized_gamma_p(a, r * x); },
       [](double, double a, double r) { return a / r; }, [](double a, double r) { return a / (r * r); }, false, false},
      {"Beta", 2.0f, 3.5f, [](Var a, Var b) { return std::make_unique<Beta>(a, b); },
       [](double x, double a, double b) {
         return (a - 1) * std::log(x) + (b - 1) * std::log1p(-x) - std::lgamma(a) - std::lgamma(b) + std::lgamma(a + b);
       },
       [](double x, double a, double b) { return aevb::kernels::regularized_beta(x, a, b); },
       [](double, double a, double b) { return a / (a + b); },
       [](double a, double b) { return a * b / ((a + b) * (a + b) * (a + b + 1)); }, true, false},
  };
}
}  // namespace

TEST_CASE(
    "Weibull, Kumaraswamy, Gamma, Beta: KS, moments, density, quadrature, entropy, pathwise gradients, gradchecks") {
  for (const TwoParameterFamily& family : two_parameter_families()) {
    SUBCASE(family.name) {
      const double p = family.first, q = family.second;
      Parameter first("first", Tensor::full({kDraws}, family.first)),
          second("second", Tensor::full({kDraws}, family.second));
      Tape tape;
      std::unique_ptr<Distribution> d = family.make(tape.param(first), tape.param(second));
      Rng rng(41);
      Var z = d->rsample(rng);
      std::vector<double> draws(z.data(), z.data() + kDraws);
      CHECK(ks_statistic(draws, [&](double x) { return family.cdf(x, p, q); }) < kKsCritical);
      Summary m = summarize(draws);
      CHECK(std::fabs(m.mean - family.mean(0, p, q)) < 5 * m.standard_error);
      CHECK(d->mean().data()[0] == doctest::Approx(family.mean(0, p, q)).epsilon(1e-5));
      CHECK(d->variance().data()[0] == doctest::Approx(family.variance(p, q)).epsilon(1e-4));
      for (double x : {0.2, 0.5, 0.8}) {
        Var xv = tape.constant({kDraws}, static_cast<float>(x));
        CHECK(d->log_prob(xv).data()[0] == doctest::Approx(family.log_density(x, p, q)).epsilon(1e-5));
        CHECK(d->cdf(xv).data()[0] == doctest::Approx(family.cdf(x, p, q)).epsilon(1e-5));
      }
      if (family.has_icdf)
        CHECK(d->cdf(d->icdf(tape.constant({kDraws}, 0.7f))).data()[0] == doctest::Approx(0.7).epsilon(1e-5));
      else
        CHECK_THROWS_AS(d->icdf(tape.constant({kDraws}, 0.7f)), Error);
      // Quadrature: (0, 1) directly, (0, inf) through x = (t / (1 - t))^2, whose Jacobian
      // 2t / (1 - t)^3 also cancels a density's integrable x^(-1/2) at 0 (Gamma(1/2)).
      auto half_line = [](double t) { return (t / (1 - t)) * (t / (1 - t)); };
      auto half_line_jacobian = [](double t) { return 2 * t / ((1 - t) * (1 - t) * (1 - t)); };
      {
        const int points = 20000;
        double integral = 0;
        for (int i = 0; i < points; ++i) {
          double t = (i + 0.5) / points;
          double x = family.unit_interval ? t : half_line(t),
                 jacobian = family.unit_interval ? 1 : half_line_jacobian(t);
          integral += std::exp(family.log_density(x, p, q)) * jacobian / points;
        }
        CHECK(integral == doctest::Approx(1.0).epsilon(1e-3));
        Tape grid_tape;
        Tensor xs({points});
        for (int i = 0; i < points; ++i) {
          double t = (i + 0.5) / points;
          xs[i] = static_cast<float>(family.unit_interval ? t : half_line(t));
        }
        std::unique_ptr<Distribution> grid =
            family.make(grid_tape.constant({points}, family.first), grid_tape.constant({points}, family.second));
        Var log_density = grid->log_prob(grid_tape.input(xs));
        double from_op = 0;
        for (int i = 0; i < points; ++i) {
          double t = (i + 0.5) / points, jacobian = family.unit_interval ? 1 : half_line_jacobian(t);
          from_op += std::exp(static_cast<double>(log_density.data()[i])) * jacobian / points;
        }
        CHECK(from_op == doctest::Approx(1.0).epsilon(2e-3));
      }
      // Entropy against the Monte Carlo mean of -log_prob.
      Var negative_log = neg(d->log_prob(z));
      Summary h = summarize(std::vector<double>(negative_log.data(), negative_log.data() + kDraws));
      CHECK(std::fabs(d->entropy().data()[0] - h.mean) < 5 * h.standard_error);
      // Pathwise: d/dtheta E z through rsample against finite differences of the closed-form mean.
      tape.backward(mean(z));
      for (int which : {0, 1}) {
        Parameter& parameter = which == 0 ? first : second;
        std::vector<double> per_draw;
        for (float g : parameter.grad().values()) per_draw.push_back(static_cast<double>(g) * kDraws);
        Summary g = summarize(per_draw);
        const double h_step = 1e-5;
        double expected = which == 0 ? (family.mean(0, p + h_step, q) - family.mean(0, p - h_step, q)) / (2 * h_step)
                                     : (family.mean(0, p, q + h_step) - family.mean(0, p, q - h_step)) / (2 * h_step);
        CAPTURE(which);
        CHECK(std::fabs(g.mean - expected) < 5 * g.standard_error + 1e-6);
      }
      // The ops behind log_prob, cdf and icdf pass gradcheck in the parameters and the argument.
      auto make = family.make;
      Tensor points = Tensor::from_values({3}, {0.25f, 0.5f, 0.75f});
      Tensor first_values = Tensor::full({3}, family.first), second_values = Tensor::full({3}, family.second);
      for (auto op : {0, 1, 2}) {
        if (op == 2 && !family.has_icdf) continue;
        GradcheckReport report = gradcheck(
            [&](std::span<const Var> v) {
              std::unique_ptr<Distribution> dist = make(v[1], v[2]);
              return op == 0 ? dist->log_prob(v[0]) : op == 1 ? dist->cdf(v[0]) : dist->icdf(v[0]);
            },
            {points, first_values, second_values}, {.step = 1e-3});
        INFO(report.to_string());
        CHECK(report.passed);
      }
    }
  }
}

TEST_CASE("InverseCdfSampled gives rsample to a family through its icdf") {
  Parameter loc("loc", Tensor::full({kDraws}, 0.3f));
  Tape tape;
  InverseCdfSampled d(std::make_unique<Gumbel>(tape.param(loc), tape.constant({kDraws}, 2.0f)), tape);
  Rng rng(43);
  Var z = d.rsample(rng);
  std::vector<double> draws(z.data(), z.data() + kDraws);
  CHECK(ks_statistic(draws, [](double x) { return std::exp(-std::exp(-(x - 0.3) / 2.0)); }) < kKsCritical);
  tape.backward(mean(z));
  double total = 0;
  for (float g : loc.grad().values()) total += g;
  CHECK(total == doctest::Approx(1.0).epsilon(1e-4));  // dz/dloc = 1 for every draw
}

TEST_CASE("ChiSquared: KS against P(k/2, x/2), moments") {
  Tape tape;
  ChiSquared d(tape.constant({kDraws}, 3.0f));
  CHECK(std::string(d.family()) == "ChiSquared");
  Rng rng(47);
  Var z = d.rsample(rng);
  std::vector<double> draws(z.data(), z.data() + kDraws);
  CHECK(ks_statistic(draws, [](double x) { return aevb::kernels::regularized_gamma_p(1.5, x / 2); }) < kKsCritical);
  Summary m = summarize(draws);
  CHECK(std::fabs(m.mean - 3.0) < 5 * m.standard_error);
  CHECK(d.variance().data()[0] == doctest::Approx(6.0));
  CHECK_THROWS_WITH_AS(ChiSquared(tape.constant({2}, -1.0f)),
                       "ChiSquared: degrees of freedom must be positive and finite, got -1 at index 0", Error);
}
