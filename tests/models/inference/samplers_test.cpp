// Tests for models/inference/hmc.cpp, metropolis.cpp, gibbs.cpp, ais.cpp and
// statistics.cpp, on targets whose answers are known in closed form.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "models/inference/ais.h"
#include "models/inference/gibbs.h"
#include "models/inference/hmc.h"
#include "models/inference/metropolis.h"
#include "models/inference/statistics.h"
#include "tests/models/inference/known_targets.h"

using namespace aevb;
using namespace aevb::models::inference;
using namespace aevb::models::inference::testing;

namespace {

// The summed effective sample size of chains [S, R] of one statistic, capped at S R
// (HMC's draws can be anticorrelated, which makes the mean's ESS exceed the draws but
// says nothing of the other moments).
double pooled_ess(const Tensor& samples, const std::function<double(const float*)>& statistic) {
  const int64_t s = samples.shape()[0], r = samples.shape()[1];
  Tensor values({s, r, 1});
  for (int64_t i = 0; i < s * r; ++i) values[i] = static_cast<float>(statistic(samples.data() + 2 * i));
  double ess = 0;
  for (double e : chain_effective_sample_sizes(values)) ess += e;
  return std::min(ess, static_cast<double>(s * r));
}

// The chains' pooled mean and covariance against the target's, each within `sigmas`
// Monte Carlo standard errors (from the effective sample size of that statistic).
void check_moments(const ChainRun& run, const KnownTarget& target, double sigmas = 4) {
  const int64_t s = run.samples.shape()[0], r = run.samples.shape()[1];
  const Moments m = sample_moments(run.samples.data(), s * r, 2, 2);
  for (int k = 0; k < 2; ++k) {
    const double ess = pooled_ess(run.samples, [k](const float* z) { return z[k]; });
    const double se = std::sqrt(target.covariance(k, k) / ess);
    CAPTURE(k);
    CAPTURE(ess);
    REQUIRE(ess > 200);
    CHECK(std::abs(m.mean[size_t(k)] - target.mean(k)) < sigmas * se);
  }
  for (int k = 0; k < 2; ++k)
    for (int l = k; l < 2; ++l) {
      const double mk = target.mean(k), ml = target.mean(l);
      const double ess = pooled_ess(run.samples, [&](const float* z) { return (z[k] - mk) * (z[l] - ml); });
      // The standard error of a sample covariance of Gaussian draws,
      // sqrt((s_kk s_ll + s_kl^2) / ESS); the banana's fourth moments are larger, hence
      // the factor of two.
      const double se = 2 * std::sqrt((target.covariance(k, k) * target.covariance(l, l) +
                                       target.covariance(k, l) * target.covariance(k, l)) /
                                      ess);
      CAPTURE(k);
      CAPTURE(l);
      CAPTURE(ess);
      CHECK(std::abs(m.covariance[size_t(2 * k + l)] - target.covariance(k, l)) < sigmas * se);
    }
}

Tensor starts(int64_t chains, Rng& rng) { return Tensor::normal({chains, 2}, rng); }

}  // namespace

TEST_CASE("leapfrog is reversible and conserves energy to O(step^2)") {
  CorrelatedGaussian target;
  Rng rng(5);
  const Tensor z0 = starts(8, rng), p0 = Tensor::normal({8, 2}, rng);
  double error_at[2] = {0, 0};
  for (int which = 0; which < 2; ++which) {
    const double step = which == 0 ? 0.1 : 0.05;
    const int steps = which == 0 ? 10 : 20;  // the same trajectory length
    std::vector<double> sizes(8, step);
    Tensor z = z0, p = p0;
    TargetValues values;
    target.evaluate(z, 1, true, values);
    double h0[8];
    for (int r = 0; r < 8; ++r) h0[r] = hamiltonian(values, 1, p, r);
    leapfrog(target, 1, z, p, values, sizes, steps);
    for (int r = 0; r < 8; ++r)
      error_at[which] = std::max(error_at[which], std::abs(hamiltonian(values, 1, p, r) - h0[r]));
    // Reversibility: flip the momentum, integrate again, and the start comes back.
    for (float& v : p.values()) v = -v;
    leapfrog(target, 1, z, p, values, sizes, steps);
    for (int64_t i = 0; i < 16; ++i) {
      CHECK(z[i] == doctest::Approx(z0[i]).epsilon(1e-4).scale(1));
      CHECK(-p[i] == doctest::Approx(p0[i]).epsilon(1e-4).scale(1));
    }
  }
  CAPTURE(error_at[0]);
  CAPTURE(error_at[1]);
  CHECK(error_at[0] > 0);
  // Halving the step divides the energy error by about four.
  CHECK(error_at[0] / error_at[1] > 3.0);
  CHECK(error_at[0] / error_at[1] < 5.5);
}

TEST_CASE("HMC recovers a correlated Gaussian and a banana, tuning its step to the target acceptance") {
  Rng rng(11);
  CorrelatedGaussian gaussian;
  Banana banana;
  for (KnownTarget* target : {static_cast<KnownTarget*>(&gaussian), static_cast<KnownTarget*>(&banana)}) {
    const ChainRun run = run_hmc(
        *target, starts(16, rng),
        {.warmup = 300, .samples = 600, .leapfrog_steps = 10, .initial_step_size = 0.3, .target_acceptance = 0.8}, rng);
    check_moments(run, *target);
    double acceptance = 0;
    for (double a : run.acceptance) acceptance += a / 16;
    CHECK(acceptance > 0.65);
    CHECK(acceptance < 0.95);
  }
}

TEST_CASE("random-walk Metropolis-Hastings recovers both targets at its target acceptance") {
  Rng rng(12);
  CorrelatedGaussian gaussian;
  Banana banana;
  for (KnownTarget* target : {static_cast<KnownTarget*>(&gaussian), static_cast<KnownTarget*>(&banana)}) {
    const ChainRun run = run_metropolis(*target, starts(16, rng), {.warmup = 1000, .samples = 6000}, rng);
    check_moments(run, *target);
    double acceptance = 0;
    for (double a : run.acceptance) acceptance += a / 16;
    CHECK(acceptance == doctest::Approx(0.3).epsilon(0.2));
  }
}

TEST_CASE("Gibbs sampling with grid conditionals recovers both targets") {
  Rng rng(13);
  CorrelatedGaussian gaussian;
  Banana banana;
  for (KnownTarget* target : {static_cast<KnownTarget*>(&gaussian), static_cast<KnownTarget*>(&banana)}) {
    const ChainRun run = run_gibbs(*target, starts(16, rng), {.warmup = 50, .samples = 600, .points = 96}, rng);
    check_moments(run, *target);
  }
}

TEST_CASE("AIS recovers a Gaussian's normalizer within its standard error") {
  Rng rng(14);
  CorrelatedGaussian gaussian;
  Banana banana;
  for (KnownTarget* target : {static_cast<KnownTarget*>(&gaussian), static_cast<KnownTarget*>(&banana)}) {
    const AisEstimate estimate =
        run_ais(*target, {.steps = 200, .chains = 64, .leapfrog_steps = 5, .initial_step_size = 0.3}, rng);
    CAPTURE(estimate.log_marginal[0]);
    CAPTURE(estimate.standard_error[0]);
    CAPTURE(target->log_normalizer());
    CHECK(estimate.standard_error[0] > 0);
    CHECK(std::abs(estimate.log_marginal[0] - target->log_normalizer()) < 3 * estimate.standard_error[0] + 0.01);
  }
}

TEST_CASE("the schedule runs from 0 to 1, increasing") {
  const std::vector<double> beta = sigmoid_schedule(50);
  CHECK(beta.front() == 0);
  CHECK(beta.back() == 1);
  for (size_t t = 1; t < beta.size(); ++t) CHECK(beta[t] > beta[t - 1]);
}

TEST_CASE("log_mean_exp and the effective sample size") {
  const std::vector<double> a = {1000.0, 1000.0, 1000.0 + std::log(4.0)};
  const LogMeanExp m = log_mean_exp(a);
  CHECK(m.value == doctest::Approx(1000.0 + std::log(2.0)));
  // w = (1, 1, 4): mean 2, sd sqrt(3), error sqrt(3) / sqrt(3) / 2 = 0.5
  CHECK(m.standard_error == doctest::Approx(0.5));
  // An AR(1) chain x_t = rho x_t-1 + noise has ESS = S (1 - rho) / (1 + rho).
  Rng rng(3);
  const double rho = 0.8;
  std::vector<double> chain(20000);
  double x = 0;
  for (double& v : chain) v = x = rho * x + std::sqrt(1 - rho * rho) * rng.normal();
  const double ess = effective_sample_size(chain);
  CHECK(ess == doctest::Approx(20000 * (1 - rho) / (1 + rho)).epsilon(0.15));
  std::vector<double> independent(5000);
  for (double& v : independent) v = rng.normal();
  CHECK(effective_sample_size(independent) == doctest::Approx(5000).epsilon(0.15));
}
