// Tests for nn/distributions: kl.cpp: every analytic KL against its Monte Carlo estimate, and the refusals.
#include <doctest/doctest.h>

#include "tests/nn/distributions/distribution_test_helpers.h"

using namespace aevb;
using namespace aevb::nn;
using namespace aevb::testing::distributions;

TEST_CASE("every analytic KL agrees with its Monte Carlo estimate") {
  const int64_t n = kDraws;
  Tape tape;
  auto constant = [&](float v) { return tape.constant({n}, v); };
  Rng rng(10);
  struct Pair {
    const char* name;
    std::unique_ptr<Distribution> p, q;
  };
  std::vector<Pair> pairs;
  pairs.push_back({"Normal", std::make_unique<Normal>(constant(0.3f), constant(0.8f)),
                   std::make_unique<Normal>(constant(-0.2f), constant(1.4f))});
  pairs.push_back({"Normal from log-variance",
                   std::make_unique<Normal>(Normal::from_log_variance(constant(0.5f), constant(-0.7f))),
                   std::make_unique<Normal>(constant(0.0f), constant(1.0f))});
  pairs.push_back({"Laplace", std::make_unique<Laplace>(constant(0.3f), constant(0.8f)),
                   std::make_unique<Laplace>(constant(-0.5f), constant(1.2f))});
  pairs.push_back(
      {"Exponential", std::make_unique<Exponential>(constant(1.5f)), std::make_unique<Exponential>(constant(0.6f))});
  pairs.push_back({"Uniform", std::make_unique<Uniform>(constant(0.2f), constant(0.7f)),
                   std::make_unique<Uniform>(constant(0.0f), constant(1.5f))});
  pairs.push_back({"LogNormal", std::make_unique<LogNormal>(constant(0.1f), constant(0.4f)),
                   std::make_unique<LogNormal>(constant(-0.3f), constant(0.9f))});
  pairs.push_back({"Gamma", std::make_unique<Gamma>(constant(2.5f), constant(1.5f)),
                   std::make_unique<Gamma>(constant(1.2f), constant(0.7f))});
  pairs.push_back({"Beta", std::make_unique<Beta>(constant(2.0f), constant(3.5f)),
                   std::make_unique<Beta>(constant(1.5f), constant(1.2f))});
  pairs.push_back({"Kumaraswamy || Beta", std::make_unique<Kumaraswamy>(constant(2.0f), constant(3.0f)),
                   std::make_unique<Beta>(constant(1.5f), constant(2.5f))});
  for (Pair& pair : pairs) {
    CAPTURE(pair.name);
    REQUIRE(has_analytic_kl(*pair.p, *pair.q));
    double analytic = kl_divergence(*pair.p, *pair.q).data()[0];
    Var z = pair.p->rsample(rng);
    Var log_ratio = sub(pair.p->log_prob(z), pair.q->log_prob(z));
    Summary mc = summarize(std::vector<double>(log_ratio.data(), log_ratio.data() + n));
    CHECK(std::fabs(analytic - mc.mean) < 5 * mc.standard_error + 1e-6);
  }
  // Bernoulli's KL by enumeration of its two values.
  Bernoulli p(constant(0.4f)), q(constant(-1.1f));
  double pp = 1 / (1 + std::exp(-0.4)), pq = 1 / (1 + std::exp(1.1));
  CHECK(kl_divergence(p, q).data()[0] ==
        doctest::Approx(pp * std::log(pp / pq) + (1 - pp) * std::log((1 - pp) / (1 - pq))));
  // Uniform outside the other's support: infinite.
  Uniform wide(constant(0.0f), constant(2.0f)), narrow(constant(0.5f), constant(1.0f));
  CHECK(std::isinf(kl_divergence(wide, narrow).data()[0]));
}

TEST_CASE("KL: a pair without an analytic form is an error unless Monte Carlo is asked for") {
  Tape tape;
  Laplace p(tape.constant({4}, 0.0f), tape.constant({4}, 1.0f));
  Normal q(tape.constant({4}, 0.0f), tape.constant({4}, 1.0f));
  CHECK_THROWS_WITH_AS(kl_divergence(p, q),
                       "kl_divergence: no analytic form for Laplace || Normal; ask for a Monte Carlo estimate with "
                       "KlOptions{.monte_carlo_samples = K, .rng = &rng}",
                       Error);
  Rng rng(1);
  Var estimate = kl_divergence(p, q, {.monte_carlo_samples = 2000, .rng = &rng});
  // KL(Laplace(0,1) || N(0,1)) = -log 2 - 1 + log sqrt(2 pi) + E z^2 / 2 = 0.5 log(2 pi) - log 2 - 1 + 1
  CHECK(estimate.data()[0] == doctest::Approx(0.5 * std::log(2 * kPi) - std::log(2.0)).epsilon(0.05));
}
