// Tests for nn/distributions: the location-scale families (Normal, Laplace, Logistic, Cauchy, StudentT, Gumbel,
// Uniform): moments, KS, densities, entropies, pathwise gradients, gradchecks, refusals.
#include <doctest/doctest.h>

#include "tests/nn/distributions/distribution_test_helpers.h"

using namespace aevb;
using namespace aevb::nn;
using namespace aevb::testing::distributions;

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
        std::unique_ptr<LocationScale> grid =
            family.make(tape.constant({points}, kLoc), tape.constant({points}, kScale));
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
        std::unique_ptr<LocationScale> d =
            family.make(broadcast_to(tape.param(loc), {n}), broadcast_to(exp(tape.param(log_scale)), {n}));
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
  CHECK_THROWS_WITH_AS(Laplace(loc, tape.input(Tensor::ones({2}))),
                       "Laplace: loc [3] and scale [2] must have the same shape", Error);
  CHECK_THROWS_WITH_AS(Exponential(tape.input(Tensor::zeros({2}))),
                       "Exponential: rate must be positive and finite, got 0 at index 0", Error);
  CHECK_THROWS_WITH_AS(Uniform(tape.input(Tensor::ones({1})), tape.input(Tensor::zeros({1}))),
                       "Uniform: low must be below high, got low 1 and high 0 at index 0", Error);
  Cauchy cauchy(loc, tape.input(Tensor::ones({3})));
  CHECK_THROWS_WITH_AS(cauchy.mean(), "Cauchy: the mean is not defined for this family", Error);
  Bernoulli bernoulli(loc);  // a mass function, with no inverse cdf
  CHECK_THROWS_WITH_AS(bernoulli.icdf(loc), "Bernoulli: a closed-form inverse cdf is not defined for this family",
                       Error);
}

TEST_CASE("each family's ops pass gradcheck: log_prob, cdf and icdf in x, loc and scale") {
  for (const Family& family : location_scale_families()) {
    SUBCASE(family.name) {
      const bool uniform = family.name == std::string("Uniform");
      // Points inside the support (Uniform: within [loc, loc + scale]); the scale enters as exp(s).
      Tensor x = uniform ? Tensor::from_values({4}, {0.9f, 1.1f, 1.4f, 1.7f})
                         : Tensor::from_values({4}, {-1.2f, 0.1f, 0.8f, 2.0f});
      Tensor loc = Tensor::from_values({4}, {0.5f, 0.6f, 0.7f, 0.8f}),
             log_scale = Tensor::from_values({4}, {0.3f, 0.1f, 0.2f, 0.4f});
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

