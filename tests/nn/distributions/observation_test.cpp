// Tests for nn/distributions: the observation models (Bernoulli, ContinuousBernoulli, Categorical).
#include <doctest/doctest.h>

#include "tests/nn/distributions/distribution_test_helpers.h"

using namespace aevb;
using namespace aevb::nn;
using namespace aevb::testing::distributions;

TEST_CASE("Bernoulli: log_prob, sampling frequency, entropy, moments") {
  Tape tape;
  Bernoulli d(tape.constant({kDraws}, 0.8f));
  const double p = 1 / (1 + std::exp(-0.8));
  CHECK(d.log_prob(tape.constant({kDraws}, 1.0f)).data()[0] == doctest::Approx(std::log(p)));
  CHECK(d.log_prob(tape.constant({kDraws}, 0.0f)).data()[0] == doctest::Approx(std::log(1 - p)));
  Rng rng(7);
  Tensor draws = d.sample(rng);
  double ones = 0;
  for (float v : draws.values()) ones += v;
  CHECK(std::fabs(ones / kDraws - p) < 5 * std::sqrt(p * (1 - p) / kDraws));
  CHECK(d.entropy().data()[0] == doctest::Approx(-p * std::log(p) - (1 - p) * std::log(1 - p)));
  CHECK(d.mean().data()[0] == doctest::Approx(p));
  CHECK(d.variance().data()[0] == doctest::Approx(p * (1 - p)));
  CHECK_THROWS_WITH_AS(d.rsample(rng), "Bernoulli: rsample (a reparameterized draw) is not defined for this family",
                       Error);
  CHECK_THROWS_WITH_AS(d.log_prob(tape.constant({kDraws}, 1.5f)), "Bernoulli: x must lie in [0, 1], got 1.5 at index 0",
                       Error);
}

TEST_CASE("ContinuousBernoulli: the density integrates to 1, stable through eta = 0, KS of the sampler") {
  for (float eta : {-3.0f, -0.2f, -1e-4f, 0.0f, 1e-3f, 0.5f, 4.0f}) {
    CAPTURE(eta);
    const int points = 2001;
    Tape tape;
    Tensor x({points});
    for (int i = 0; i < points; ++i) x[i] = static_cast<float>(i) / (points - 1);
    ContinuousBernoulli d(tape.constant({points}, eta));
    Var log_density = d.log_prob(tape.input(x));
    double integral = 0;
    for (int i = 0; i < points; ++i)
      integral +=
          (i == 0 || i == points - 1 ? 1 : (i % 2 ? 4 : 2)) * std::exp(static_cast<double>(log_density.data()[i]));
    integral *= 1.0 / (points - 1) / 3;
    CHECK(integral == doctest::Approx(1.0).epsilon(1e-5));
    // The mean against the integral of x p(x).
    double first_moment = 0;
    for (int i = 0; i < points; ++i)
      first_moment += (i == 0 || i == points - 1 ? 1 : (i % 2 ? 4 : 2)) * x[i] *
                      std::exp(static_cast<double>(log_density.data()[i]));
    first_moment *= 1.0 / (points - 1) / 3;
    CHECK(d.mean().data()[0] == doctest::Approx(first_moment).epsilon(1e-4));
  }
  // Its log-normalizer op is gradient-checked on both sides of the series threshold.
  GradcheckReport report = gradcheck([](std::span<const Var> v) { return continuous_bernoulli_log_normalizer(v[0]); },
                                     {Tensor::from_values({6}, {-3.0f, -0.5f, 0.05f, 0.3f, 1.5f, 6.0f})});
  INFO(report.to_string());
  CHECK(report.passed);
  Tape tape;
  ContinuousBernoulli d(tape.constant({kDraws}, 1.2f));
  Rng rng(8);
  Tensor draws = d.sample(rng);
  std::vector<double> values(draws.values().begin(), draws.values().end());
  const double eta = 1.2;
  CHECK(ks_statistic(values, [&](double x) { return std::expm1(eta * x) / std::expm1(eta); }) < kKsCritical);
}

TEST_CASE("Categorical: log_prob, entropy, sampling frequencies") {
  Tape tape;
  Tensor logits = Tensor::from_values({1, 3}, {0.5f, -1.0f, 1.5f});
  Categorical d(tape.input(logits));
  double normalizer = std::exp(0.5) + std::exp(-1.0) + std::exp(1.5);
  CHECK(d.log_prob(tape.input(Tensor::from_values({1, 3}, {0, 0, 1}))).data()[0] ==
        doctest::Approx(1.5 - std::log(normalizer)));
  double entropy = 0;
  for (double l : {0.5, -1.0, 1.5}) entropy -= std::exp(l) / normalizer * (l - std::log(normalizer));
  CHECK(d.entropy().data()[0] == doctest::Approx(entropy));
  Tensor many({20000, 3});
  for (int64_t n = 0; n < 20000; ++n)
    for (int c = 0; c < 3; ++c) many[n * 3 + c] = logits[c];
  Categorical batch(tape.input(many));
  Rng rng(9);
  Tensor draws = batch.sample(rng);
  double third = 0;
  for (int64_t n = 0; n < 20000; ++n) third += draws[n * 3 + 2];
  const double p = std::exp(1.5) / normalizer;
  CHECK(std::fabs(third / 20000 - p) < 5 * std::sqrt(p * (1 - p) / 20000));
}
