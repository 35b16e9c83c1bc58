// Tests for nn/distributions: LogNormal and TransformedDistribution (change of variables).
#include <doctest/doctest.h>

#include "tests/nn/distributions/distribution_test_helpers.h"

using namespace aevb;
using namespace aevb::nn;
using namespace aevb::testing::distributions;

TEST_CASE("LogNormal: KS, density, moments, entropy") {
  Tape tape;
  LogNormal d(tape.constant({kDraws}, 0.2f), tape.constant({kDraws}, 0.5f));
  Rng rng(6);
  Var z = d.rsample(rng);
  std::vector<double> draws(z.data(), z.data() + kDraws);
  CHECK(ks_statistic(draws, [](double x) {
          return x <= 0 ? 0 : 0.5 * std::erfc(-(std::log(x) - 0.2) / (0.5 * std::sqrt(2.0)));
        }) < kKsCritical);
  const double mean = std::exp(0.2 + 0.125), variance = std::expm1(0.25) * std::exp(0.4 + 0.25);
  Summary m = summarize(draws);
  CHECK(std::fabs(m.mean - mean) < 5 * m.standard_error);
  CHECK(d.mean().data()[0] == doctest::Approx(mean).epsilon(1e-5));
  CHECK(d.variance().data()[0] == doctest::Approx(variance).epsilon(1e-5));
  const double x = 1.7;
  CHECK(d.log_prob(tape.constant({kDraws}, static_cast<float>(x))).data()[0] ==
        doctest::Approx(-std::log(x * 0.5 * std::sqrt(2 * kPi)) - std::pow(std::log(x) - 0.2, 2) / (2 * 0.25))
            .epsilon(1e-5));
  Var negative_log = neg(d.log_prob(z));
  Summary h = summarize(std::vector<double>(negative_log.data(), negative_log.data() + kDraws));
  CHECK(std::fabs(d.entropy().data()[0] - h.mean) < 5 * h.standard_error);
}

TEST_CASE("TransformedDistribution: exp of a Normal is a LogNormal, affine maps shift and scale, sigmoid integrates") {
  const int64_t n = kDraws;
  Tape tape;
  auto constant = [&](float v) { return tape.constant({n}, v); };
  std::vector<std::unique_ptr<Transform>> exp_only;
  exp_only.push_back(std::make_unique<ExpTransform>());
  TransformedDistribution log_normal_by_transform(std::make_unique<Normal>(constant(0.2f), constant(0.5f)),
                                                  std::move(exp_only));
  LogNormal log_normal(constant(0.2f), constant(0.5f));
  for (float y : {0.3f, 1.0f, 2.7f}) {
    CHECK(log_normal_by_transform.log_prob(constant(y)).data()[0] ==
          doctest::Approx(log_normal.log_prob(constant(y)).data()[0]).epsilon(1e-5));
    CHECK(log_normal_by_transform.cdf(constant(y)).data()[0] ==
          doctest::Approx(log_normal.cdf(constant(y)).data()[0]).epsilon(1e-5));
  }
  CHECK(log_normal_by_transform.cdf(log_normal_by_transform.icdf(constant(0.4f))).data()[0] ==
        doctest::Approx(0.4).epsilon(1e-5));
  Rng rng(53);
  Var draws = log_normal_by_transform.rsample(rng);
  std::vector<double> values(draws.data(), draws.data() + n);
  CHECK(ks_statistic(values, [](double x) {
          return x <= 0 ? 0 : 0.5 * std::erfc(-(std::log(x) - 0.2) / (0.5 * std::sqrt(2.0)));
        }) < kKsCritical);

  std::vector<std::unique_ptr<Transform>> affine;
  affine.push_back(std::make_unique<AffineTransform>(2.0f, 3.0f));
  TransformedDistribution shifted(std::make_unique<Normal>(constant(0.0f), constant(1.0f)), std::move(affine));
  Normal direct(constant(2.0f), constant(3.0f));
  CHECK(shifted.log_prob(constant(0.5f)).data()[0] ==
        doctest::Approx(direct.log_prob(constant(0.5f)).data()[0]).epsilon(1e-5));
  CHECK_THROWS_AS(shifted.mean(), Error);

  // The logit-normal density integrates to 1 over (0, 1), and its log_prob passes gradcheck.
  const int points = 20000;
  Tape grid;
  std::vector<std::unique_ptr<Transform>> squash;
  squash.push_back(std::make_unique<SigmoidTransform>());
  TransformedDistribution logit_normal(
      std::make_unique<Normal>(grid.constant({points}, 0.3f), grid.constant({points}, 1.5f)), std::move(squash));
  Tensor ys({points});
  for (int i = 0; i < points; ++i) ys[i] = static_cast<float>((i + 0.5) / points);
  Var density = logit_normal.log_prob(grid.input(ys));
  double integral = 0;
  for (int i = 0; i < points; ++i) integral += std::exp(static_cast<double>(density.data()[i])) / points;
  CHECK(integral == doctest::Approx(1.0).epsilon(2e-3));
  GradcheckReport report = gradcheck(
      [](std::span<const Var> v) {
        std::vector<std::unique_ptr<Transform>> t;
        t.push_back(std::make_unique<SigmoidTransform>());
        TransformedDistribution d(std::make_unique<Normal>(v[1], exp(v[2])), std::move(t));
        return d.log_prob(v[0]);
      },
      {Tensor::from_values({3}, {0.2f, 0.5f, 0.85f}), Tensor::from_values({3}, {0.1f, -0.3f, 0.4f}),
       Tensor::from_values({3}, {0.2f, 0.0f, -0.3f})},
      {.step = 1e-3});
  INFO(report.to_string());
  CHECK(report.passed);
  CHECK_THROWS_WITH_AS(AffineTransform(0.0f, -1.0f),
                       "AffineTransform: scale must be positive and finite, got -1 (loc 0)", Error);
}
