// Tests for nn/distributions: each family against its closed forms, with fixed seeds.
// Tolerances are 5 standard errors of the Monte Carlo estimate, computed from the same
// draws, so a correct family fails with probability below 1e-6 and the seeds are fixed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "autodiff/autodiff.h"
#include "nn/distributions/distributions.h"
#include "autodiff/kernels/special_functions.h"
#include "nn/optimizer.h"

using namespace aevb;
using namespace aevb::nn;

namespace {

constexpr double kPi = std::numbers::pi;
constexpr int64_t kDraws = 100000;
// Kolmogorov-Smirnov: the 0.1% critical value of sqrt(n) D is 1.949.
const double kKsCritical = 1.949 / std::sqrt(static_cast<double>(kDraws));

// A location-scale family at (loc, scale), with its closed forms in double.
struct Family {
  const char* name;
  std::function<std::unique_ptr<LocationScale>(Var loc, Var scale)> make;
  std::function<double(double z)> standard_log_density;
  std::function<double(double z)> standard_cdf;
  bool finite_moments;
  double standard_mean, standard_variance;
};

std::vector<Family> location_scale_families() {
  return {
      {"Normal", [](Var l, Var s) { return std::make_unique<Normal>(l, s); },
       [](double z) { return -0.5 * z * z - 0.5 * std::log(2 * kPi); },
       [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }, true, 0.0, 1.0},
      {"Laplace", [](Var l, Var s) { return std::make_unique<Laplace>(l, s); },
       [](double z) { return -std::fabs(z) - std::log(2.0); },
       [](double z) { return z < 0 ? 0.5 * std::exp(z) : 1 - 0.5 * std::exp(-z); }, true, 0.0, 2.0},
      {"Logistic", [](Var l, Var s) { return std::make_unique<Logistic>(l, s); },
       [](double z) { return -z - 2 * std::log1p(std::exp(-z)); }, [](double z) { return 1 / (1 + std::exp(-z)); },
       true, 0.0, kPi * kPi / 3},
      {"Cauchy", [](Var l, Var s) { return std::make_unique<Cauchy>(l, s); },
       [](double z) { return -std::log(kPi) - std::log1p(z * z); }, [](double z) { return 0.5 + std::atan(z) / kPi; },
       false, 0.0, 0.0},
      {"Gumbel", [](Var l, Var s) { return std::make_unique<Gumbel>(l, s); },
       [](double z) { return -(z + std::exp(-z)); }, [](double z) { return std::exp(-std::exp(-z)); }, true,
       std::numbers::egamma, kPi * kPi / 6},
      {"StudentT(5)", [](Var l, Var s) { return std::make_unique<StudentT>(5.0f, l, s); },
       [](double z) { return std::lgamma(3.0) - std::lgamma(2.5) - 0.5 * std::log(5 * kPi) - 3.0 * std::log1p(z * z / 5); },
       [](double z) {
         double tail = 0.5 * aevb::kernels::regularized_beta(5 / (5 + z * z), 2.5, 0.5);
         return z > 0 ? 1 - tail : tail;
       },
       true, 0.0, 5.0 / 3.0},
      {"Uniform", [](Var l, Var s) { return std::make_unique<Uniform>(l, add(l, s)); },
       [](double z) { return z >= 0 && z <= 1 ? 0.0 : -INFINITY; },
       [](double z) { return std::clamp(z, 0.0, 1.0); }, true, 0.5, 1.0 / 12},
  };
}

constexpr float kLoc = 0.7f, kScale = 1.3f;

// A batch of n identical distributions whose parameters are leaves with gradients, one
// element per draw: each draw's gradient stays separate, and the test sums them in
// double (a float sum over 100,000 draws would add its own rounding, about 1e-3).
struct Batch {
  Parameter loc, scale;
  Tape tape;
  Var loc_var, scale_var;
  explicit Batch(int64_t n) : loc("loc", Tensor::full({n}, kLoc)), scale("scale", Tensor::full({n}, kScale)) {
    loc_var = tape.param(loc);
    scale_var = tape.param(scale);
  }
  static double total(const Parameter& p) {
    double sum = 0;
    for (float g : p.grad().values()) sum += g;
    return sum;
  }
};

struct Summary {
  double mean, standard_error;
};
Summary summarize(const std::vector<double>& values) {
  double sum = 0, squares = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size() - 1) / static_cast<double>(values.size()))};
}

double ks_statistic(std::vector<double> draws, const std::function<double(double)>& cdf) {
  std::sort(draws.begin(), draws.end());
  double worst = 0;
  const double n = static_cast<double>(draws.size());
  for (size_t i = 0; i < draws.size(); ++i) {
    double f = cdf(draws[i]);
    worst = std::max({worst, std::fabs(f - static_cast<double>(i) / n), std::fabs(static_cast<double>(i + 1) / n - f)});
  }
  return worst;
}

}  // namespace

TEST_CASE("location-scale families: moments, KS, density, quadrature, entropy, pathwise gradients") {
  for (const Family& family : location_scale_families()) {
    SUBCASE(family.name) {
      Batch batch(kDraws);
      std::unique_ptr<LocationScale> d = family.make(batch.loc_var, batch.scale_var);
      Rng rng(17);
      Var z = d->rsample(rng);
      std::vector<double> draws(z.data(), z.data() + kDraws);

      // 2. Kolmogorov-Smirnov against the closed-form cdf.
      double ks = ks_statistic(draws, [&](double x) { return family.standard_cdf((x - kLoc) / kScale); });
      INFO("KS statistic " << ks << " (critical " << kKsCritical << ")");
      CHECK(ks < kKsCritical);

      // 3. log_prob at fixed points against the closed form, and the family's cdf op.
      for (double x : {-2.0, 0.3, 0.7, 1.1, 2.5}) {
        Var xv = batch.tape.constant({kDraws}, static_cast<float>(x));
        double expected = family.standard_log_density((x - kLoc) / kScale) - std::log(kScale);
        double got = d->log_prob(xv).data()[0];
        if (std::isinf(expected))
          CHECK(got == -INFINITY);
        else
          CHECK(got == doctest::Approx(expected).epsilon(1e-5));
        CHECK(d->cdf(xv).data()[0] == doctest::Approx(family.standard_cdf((x - kLoc) / kScale)).epsilon(1e-5));
      }
      // The inverse cdf inverts the cdf.
      Var u = batch.tape.constant({kDraws}, 0.3f);
      CHECK(d->cdf(d->icdf(u)).data()[0] == doctest::Approx(0.3).epsilon(1e-5));

      // 3. The density integrates to 1: x = t / (1 - t^2) maps (-1, 1) onto the line and
      // tames polynomial tails (Cauchy's 1/x^2 included); Simpson's rule on 20,001 points.
      {
        const int points = 20001;
        Tape tape;
        Tensor t({points}), x({points});
        for (int i = 0; i < points; ++i) {
          double ti = -1 + 2.0 * (i + 0.5) / points;  // midpoints avoid the ends
          t[i] = static_cast<float>(ti);
          x[i] = static_cast<float>(ti / (1 - ti * ti));
        }
        std::unique_ptr<LocationScale> grid = family.make(tape.constant({points}, kLoc), tape.constant({points}, kScale));
        Var log_density = grid->log_prob(tape.input(x));
        double integral = 0;
        const double h = 2.0 / points;
        for (int i = 0; i < points; ++i) {
          double ti = t[i], jacobian = (1 + ti * ti) / ((1 - ti * ti) * (1 - ti * ti));
          double weight = (i == 0 || i == points - 1) ? 1 : (i % 2 ? 4 : 2);
          integral += weight * std::exp(static_cast<double>(log_density.data()[i])) * jacobian;
        }
        integral *= h / 3;
        CHECK(integral == doctest::Approx(1.0).epsilon(family.name == std::string("Uniform") ? 2e-3 : 1e-3));
      }

      // 5. Entropy against the Monte Carlo mean of -log_prob.
      {
        Var negative_log = neg(d->log_prob(z));
        Summary mc = summarize(std::vector<double>(negative_log.data(), negative_log.data() + kDraws));
        double entropy = d->entropy().data()[0];
        CHECK(std::fabs(entropy - mc.mean) < 5 * mc.standard_error + 1e-6);
      }

      if (family.finite_moments) {
        // 1. Sample mean and variance within 5 standard errors.
        const double mean = kLoc + kScale * family.standard_mean, variance = kScale * kScale * family.standard_variance;
        Summary m = summarize(draws);
        CHECK(std::fabs(m.mean - mean) < 5 * m.standard_error);
        std::vector<double> squared_deviation;
        for (double v : draws) squared_deviation.push_back((v - m.mean) * (v - m.mean));
        Summary v = summarize(squared_deviation);
        CHECK(std::fabs(v.mean - variance) < 5 * v.standard_error);
        CHECK(d->mean().data()[0] == doctest::Approx(mean).epsilon(1e-6));
        CHECK(d->variance().data()[0] == doctest::Approx(variance).epsilon(1e-6));

      }
    }
  }
}

TEST_CASE("location-scale families: pathwise gradients of E z and E z^2 through rsample") {
  for (const Family& family : location_scale_families()) {
    if (!family.finite_moments) continue;  // Cauchy has no moments to differentiate
    SUBCASE(family.name) {
      const double m = family.standard_mean, v = family.standard_variance;
      for (int power : {1, 2}) {
        CAPTURE(power);
        Batch batch(kDraws);
        std::unique_ptr<LocationScale> d = family.make(batch.loc_var, batch.scale_var);
        Rng rng(23);
        Var z = d->rsample(rng);
        batch.tape.backward(mean(power == 1 ? z : square(z)));
        // Each draw's own gradient, rebuilt from z: dz/dloc = 1, dz/dscale = eps = (z - loc) / scale.
        std::vector<double> per_draw_loc, per_draw_scale;
        for (int64_t i = 0; i < kDraws; ++i) {
          double zi = z.data()[i], eps = (zi - kLoc) / kScale, outer = power == 1 ? 1.0 : 2 * zi;
          per_draw_loc.push_back(outer);
          per_draw_scale.push_back(outer * eps);
        }
        const double mean_z = kLoc + kScale * m;
        const double expected_loc = power == 1 ? 1.0 : 2 * mean_z;
        const double expected_scale = power == 1 ? m : 2 * kScale * v + 2 * m * mean_z;
        Summary loc_mc = summarize(per_draw_loc), scale_mc = summarize(per_draw_scale);
        // The tape's gradient is each draw's own, divided by the count (the mean).
        CHECK(Batch::total(batch.loc) == doctest::Approx(loc_mc.mean).epsilon(1e-5));
        CHECK(Batch::total(batch.scale) == doctest::Approx(scale_mc.mean).epsilon(1e-5));
        CHECK(std::fabs(Batch::total(batch.loc) - expected_loc) < 5 * loc_mc.standard_error + 1e-5);
        CHECK(std::fabs(Batch::total(batch.scale) - expected_scale) < 5 * scale_mc.standard_error + 1e-5);
      }
    }
  }
}

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

TEST_CASE("LogNormal: KS, density, moments, entropy") {
  Tape tape;
  LogNormal d(tape.constant({kDraws}, 0.2f), tape.constant({kDraws}, 0.5f));
  Rng rng(6);
  Var z = d.rsample(rng);
  std::vector<double> draws(z.data(), z.data() + kDraws);
  CHECK(ks_statistic(draws, [](double x) { return x <= 0 ? 0 : 0.5 * std::erfc(-(std::log(x) - 0.2) / (0.5 * std::sqrt(2.0))); }) < kKsCritical);
  const double mean = std::exp(0.2 + 0.125), variance = std::expm1(0.25) * std::exp(0.4 + 0.25);
  Summary m = summarize(draws);
  CHECK(std::fabs(m.mean - mean) < 5 * m.standard_error);
  CHECK(d.mean().data()[0] == doctest::Approx(mean).epsilon(1e-5));
  CHECK(d.variance().data()[0] == doctest::Approx(variance).epsilon(1e-5));
  const double x = 1.7;
  CHECK(d.log_prob(tape.constant({kDraws}, static_cast<float>(x))).data()[0] ==
        doctest::Approx(-std::log(x * 0.5 * std::sqrt(2 * kPi)) - std::pow(std::log(x) - 0.2, 2) / (2 * 0.25)).epsilon(1e-5));
  Var negative_log = neg(d.log_prob(z));
  Summary h = summarize(std::vector<double>(negative_log.data(), negative_log.data() + kDraws));
  CHECK(std::fabs(d.entropy().data()[0] - h.mean) < 5 * h.standard_error);
}

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
  CHECK_THROWS_WITH_AS(d.rsample(rng), "Bernoulli: rsample (a reparameterized draw) is not defined for this family", Error);
  CHECK_THROWS_WITH_AS(d.log_prob(tape.constant({kDraws}, 1.5f)), "Bernoulli: x must lie in [0, 1], got 1.5 at index 0", Error);
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
      integral += (i == 0 || i == points - 1 ? 1 : (i % 2 ? 4 : 2)) * std::exp(static_cast<double>(log_density.data()[i]));
    integral *= 1.0 / (points - 1) / 3;
    CHECK(integral == doctest::Approx(1.0).epsilon(1e-5));
    // The mean against the integral of x p(x).
    double first_moment = 0;
    for (int i = 0; i < points; ++i)
      first_moment += (i == 0 || i == points - 1 ? 1 : (i % 2 ? 4 : 2)) * x[i] * std::exp(static_cast<double>(log_density.data()[i]));
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
  CHECK(d.log_prob(tape.input(Tensor::from_values({1, 3}, {0, 0, 1}))).data()[0] == doctest::Approx(1.5 - std::log(normalizer)));
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
  pairs.push_back({"Normal", std::make_unique<Normal>(constant(0.3f), constant(0.8f)), std::make_unique<Normal>(constant(-0.2f), constant(1.4f))});
  pairs.push_back({"Normal from log-variance", std::make_unique<Normal>(Normal::from_log_variance(constant(0.5f), constant(-0.7f))),
                   std::make_unique<Normal>(constant(0.0f), constant(1.0f))});
  pairs.push_back({"Laplace", std::make_unique<Laplace>(constant(0.3f), constant(0.8f)), std::make_unique<Laplace>(constant(-0.5f), constant(1.2f))});
  pairs.push_back({"Exponential", std::make_unique<Exponential>(constant(1.5f)), std::make_unique<Exponential>(constant(0.6f))});
  pairs.push_back({"Uniform", std::make_unique<Uniform>(constant(0.2f), constant(0.7f)), std::make_unique<Uniform>(constant(0.0f), constant(1.5f))});
  pairs.push_back({"LogNormal", std::make_unique<LogNormal>(constant(0.1f), constant(0.4f)), std::make_unique<LogNormal>(constant(-0.3f), constant(0.9f))});
  pairs.push_back({"Gamma", std::make_unique<Gamma>(constant(2.5f), constant(1.5f)), std::make_unique<Gamma>(constant(1.2f), constant(0.7f))});
  pairs.push_back({"Beta", std::make_unique<Beta>(constant(2.0f), constant(3.5f)), std::make_unique<Beta>(constant(1.5f), constant(1.2f))});
  pairs.push_back({"Kumaraswamy || Beta", std::make_unique<Kumaraswamy>(constant(2.0f), constant(3.0f)), std::make_unique<Beta>(constant(1.5f), constant(2.5f))});
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
  CHECK(kl_divergence(p, q).data()[0] == doctest::Approx(pp * std::log(pp / pq) + (1 - pp) * std::log((1 - pp) / (1 - pq))));
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

TEST_CASE("gradients through rsample fit each location-scale family's loc and scale to data") {
  for (const Family& family : location_scale_families()) {
    if (family.name == std::string("Uniform")) continue;  // its support makes log_prob -inf off the data's range
    SUBCASE(family.name) {
      // Data from the family at loc 1.5, scale 0.7; fit (loc, log scale) by Adam on -mean log_prob.
      const int64_t n = 4000;
      Tape data_tape;
      Rng rng(31);
      Tensor data = family.make(data_tape.constant({n}, 1.5f), data_tape.constant({n}, 0.7f))->rsample(rng).value();
      Parameter loc("loc", Tensor::zeros({1})), log_scale("log_scale", Tensor::zeros({1}));
      Adam adam({{"loc", &loc}, {"log_scale", &log_scale}}, {.learning_rate = 0.05f});
      Tape tape;
      for (int step = 0; step < 600; ++step) {
        tape.clear();
        std::unique_ptr<LocationScale> d = family.make(broadcast_to(tape.param(loc), {n}), broadcast_to(exp(tape.param(log_scale)), {n}));
        Var loss = neg(mean(d->log_prob(tape.input(data))));
        adam.zero_grad();
        tape.backward(loss);
        adam.step();
      }
      CHECK(loc.value()[0] == doctest::Approx(1.5).epsilon(0.05));
      CHECK(std::exp(log_scale.value()[0]) == doctest::Approx(0.7).epsilon(0.08));
    }
  }
}

TEST_CASE("bad parameters are refused naming the family, the parameter and the value") {
  Tape tape;
  Var loc = tape.input(Tensor::zeros({3}));
  CHECK_THROWS_WITH_AS(Normal(loc, tape.input(Tensor::from_values({3}, {1, -0.5f, 1}))),
                       "Normal: scale must be positive and finite, got -0.5 at index 1", Error);
  CHECK_THROWS_WITH_AS(Laplace(loc, tape.input(Tensor::ones({2}))), "Laplace: loc [3] and scale [2] must have the same shape", Error);
  CHECK_THROWS_WITH_AS(Exponential(tape.input(Tensor::zeros({2}))), "Exponential: rate must be positive and finite, got 0 at index 0", Error);
  CHECK_THROWS_WITH_AS(Uniform(tape.input(Tensor::ones({1})), tape.input(Tensor::zeros({1}))),
                       "Uniform: low must be below high, got low 1 and high 0 at index 0", Error);
  Cauchy cauchy(loc, tape.input(Tensor::ones({3})));
  CHECK_THROWS_WITH_AS(cauchy.mean(), "Cauchy: the mean is not defined for this family", Error);
  Bernoulli bernoulli(loc);  // a mass function, with no inverse cdf
  CHECK_THROWS_WITH_AS(bernoulli.icdf(loc), "Bernoulli: a closed-form inverse cdf is not defined for this family", Error);
}

TEST_CASE("each family's ops pass gradcheck: log_prob, cdf and icdf in x, loc and scale") {
  for (const Family& family : location_scale_families()) {
    SUBCASE(family.name) {
      const bool uniform = family.name == std::string("Uniform");
      // Points inside the support (Uniform: within [loc, loc + scale]); the scale enters as exp(s).
      Tensor x = uniform ? Tensor::from_values({4}, {0.9f, 1.1f, 1.4f, 1.7f}) : Tensor::from_values({4}, {-1.2f, 0.1f, 0.8f, 2.0f});
      Tensor loc = Tensor::from_values({4}, {0.5f, 0.6f, 0.7f, 0.8f}), log_scale = Tensor::from_values({4}, {0.3f, 0.1f, 0.2f, 0.4f});
      auto make = [&](std::span<const Var> v) { return family.make(v[1], exp(v[2])); };
      // Uniform's density 1 / scale depends on neither x nor loc: only its scale gradient is checked.
      GradcheckReport log_prob = gradcheck(
          [&](std::span<const Var> v) { return make(v)->log_prob(uniform ? v[0].tape().input(x) : v[0]); },
          {uniform ? Tensor::ones({4}) : x, loc, log_scale});
      INFO("log_prob " << log_prob.to_string());
      CHECK((uniform ? log_prob.inputs[2].passed : log_prob.passed));
      GradcheckReport cdf = gradcheck([&](std::span<const Var> v) { return make(v)->cdf(v[0]); }, {x, loc, log_scale});
      INFO("cdf " << cdf.to_string());
      CHECK(cdf.passed);
      GradcheckReport icdf = gradcheck([&](std::span<const Var> v) { return make(v)->icdf(v[0]); },
                                       {Tensor::from_values({4}, {0.12f, 0.35f, 0.6f, 0.85f}), loc, log_scale},
                                       {.step = 1e-3});  // u lives in (0, 1): a smaller step
      INFO("icdf " << icdf.to_string());
      if (uniform)
        CHECK((icdf.inputs[0].passed && icdf.inputs[1].passed && icdf.inputs[2].passed));
      else
        CHECK(icdf.passed);
    }
  }
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

double lgamma_mean_kumaraswamy(double a, double b) { return b * std::exp(std::lgamma(1 + 1 / a) + std::lgamma(b) - std::lgamma(1 + 1 / a + b)); }

std::vector<TwoParameterFamily> two_parameter_families() {
  return {
      {"Weibull", 1.5f, 1.8f, [](Var s, Var k) { return std::make_unique<Weibull>(s, k); },
       [](double x, double s, double k) { return std::log(k / s) + (k - 1) * std::log(x / s) - std::pow(x / s, k); },
       [](double x, double s, double k) { return x <= 0 ? 0.0 : 1 - std::exp(-std::pow(x / s, k)); },
       [](double, double s, double k) { return s * std::tgamma(1 + 1 / k); },
       [](double s, double k) { return s * s * (std::tgamma(1 + 2 / k) - std::pow(std::tgamma(1 + 1 / k), 2)); }, false},
      {"Kumaraswamy", 2.0f, 3.5f, [](Var a, Var b) { return std::make_unique<Kumaraswamy>(a, b); },
       [](double x, double a, double b) { return std::log(a * b) + (a - 1) * std::log(x) + (b - 1) * std::log1p(-std::pow(x, a)); },
       [](double x, double a, double b) { return x <= 0 ? 0.0 : x >= 1 ? 1.0 : 1 - std::pow(1 - std::pow(x, a), b); },
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

TEST_CASE("Weibull, Kumaraswamy, Gamma, Beta: KS, moments, density, quadrature, entropy, pathwise gradients, gradchecks") {
  for (const TwoParameterFamily& family : two_parameter_families()) {
    SUBCASE(family.name) {
      const double p = family.first, q = family.second;
      Parameter first("first", Tensor::full({kDraws}, family.first)), second("second", Tensor::full({kDraws}, family.second));
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
          double x = family.unit_interval ? t : half_line(t), jacobian = family.unit_interval ? 1 : half_line_jacobian(t);
          integral += std::exp(family.log_density(x, p, q)) * jacobian / points;
        }
        CHECK(integral == doctest::Approx(1.0).epsilon(1e-3));
        Tape grid_tape;
        Tensor xs({points});
        for (int i = 0; i < points; ++i) {
          double t = (i + 0.5) / points;
          xs[i] = static_cast<float>(family.unit_interval ? t : half_line(t));
        }
        std::unique_ptr<Distribution> grid = family.make(grid_tape.constant({points}, family.first), grid_tape.constant({points}, family.second));
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
  CHECK_THROWS_WITH_AS(ChiSquared(tape.constant({2}, -1.0f)), "ChiSquared: degrees of freedom must be positive and finite, got -1 at index 0", Error);
}

TEST_CASE("TransformedDistribution: exp of a Normal is a LogNormal, affine maps shift and scale, sigmoid integrates") {
  const int64_t n = kDraws;
  Tape tape;
  auto constant = [&](float v) { return tape.constant({n}, v); };
  std::vector<std::unique_ptr<Transform>> exp_only;
  exp_only.push_back(std::make_unique<ExpTransform>());
  TransformedDistribution log_normal_by_transform(std::make_unique<Normal>(constant(0.2f), constant(0.5f)), std::move(exp_only));
  LogNormal log_normal(constant(0.2f), constant(0.5f));
  for (float y : {0.3f, 1.0f, 2.7f}) {
    CHECK(log_normal_by_transform.log_prob(constant(y)).data()[0] == doctest::Approx(log_normal.log_prob(constant(y)).data()[0]).epsilon(1e-5));
    CHECK(log_normal_by_transform.cdf(constant(y)).data()[0] == doctest::Approx(log_normal.cdf(constant(y)).data()[0]).epsilon(1e-5));
  }
  CHECK(log_normal_by_transform.cdf(log_normal_by_transform.icdf(constant(0.4f))).data()[0] == doctest::Approx(0.4).epsilon(1e-5));
  Rng rng(53);
  Var draws = log_normal_by_transform.rsample(rng);
  std::vector<double> values(draws.data(), draws.data() + n);
  CHECK(ks_statistic(values, [](double x) { return x <= 0 ? 0 : 0.5 * std::erfc(-(std::log(x) - 0.2) / (0.5 * std::sqrt(2.0))); }) < kKsCritical);

  std::vector<std::unique_ptr<Transform>> affine;
  affine.push_back(std::make_unique<AffineTransform>(2.0f, 3.0f));
  TransformedDistribution shifted(std::make_unique<Normal>(constant(0.0f), constant(1.0f)), std::move(affine));
  Normal direct(constant(2.0f), constant(3.0f));
  CHECK(shifted.log_prob(constant(0.5f)).data()[0] == doctest::Approx(direct.log_prob(constant(0.5f)).data()[0]).epsilon(1e-5));
  CHECK_THROWS_AS(shifted.mean(), Error);

  // The logit-normal density integrates to 1 over (0, 1), and its log_prob passes gradcheck.
  const int points = 20000;
  Tape grid;
  std::vector<std::unique_ptr<Transform>> squash;
  squash.push_back(std::make_unique<SigmoidTransform>());
  TransformedDistribution logit_normal(std::make_unique<Normal>(grid.constant({points}, 0.3f), grid.constant({points}, 1.5f)), std::move(squash));
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
      {Tensor::from_values({3}, {0.2f, 0.5f, 0.85f}), Tensor::from_values({3}, {0.1f, -0.3f, 0.4f}), Tensor::from_values({3}, {0.2f, 0.0f, -0.3f})},
      {.step = 1e-3});
  INFO(report.to_string());
  CHECK(report.passed);
  CHECK_THROWS_WITH_AS(AffineTransform(0.0f, -1.0f), "AffineTransform: scale must be positive and finite, got -1 (loc 0)", Error);
}
