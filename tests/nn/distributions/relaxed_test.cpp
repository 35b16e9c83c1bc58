// Tests for nn/distributions/relaxed.cpp: the Concrete (Gumbel-softmax) relaxations.
//   - As the temperature falls, relaxed draws approach one-hot draws whose class
//     frequencies are the softmax of the logits (chi-square test at the 0.1% level).
//   - log_prob against PyTorch's RelaxedOneHotCategorical and RelaxedBernoulli (float64;
//     tests/nn/distributions/oracle_values.py prints the values), the two-class identity
//     between the families, and the binary density's integral.
//   - The straight-through draw is exactly one-hot, and its gradient is the relaxed draw's.
//   - rsample and log_prob are gradient-checked; the straight-through op is refused by
//     gradcheck, as a biased estimator must be.
#include <doctest/doctest.h>

#include "tests/nn/distributions/distribution_test_helpers.h"

using namespace aevb;
using namespace aevb::nn;
using namespace aevb::testing::distributions;

namespace {

constexpr int64_t kRows = 20000;

// logits [kRows, C], every row the same.
Tensor repeated_rows(const std::vector<float>& row) {
  const int64_t classes = static_cast<int64_t>(row.size());
  Tensor t({kRows, classes});
  for (int64_t n = 0; n < kRows; ++n)
    for (int64_t c = 0; c < classes; ++c) t[n * classes + c] = row[static_cast<size_t>(c)];
  return t;
}

std::vector<double> softmax(const std::vector<float>& logits) {
  double total = 0;
  for (float l : logits) total += std::exp(static_cast<double>(l));
  std::vector<double> p;
  for (float l : logits) p.push_back(std::exp(static_cast<double>(l)) / total);
  return p;
}

// Pearson's statistic of counts against probabilities.
double chi_square(const std::vector<double>& counts, const std::vector<double>& p, double n) {
  double statistic = 0;
  for (size_t c = 0; c < p.size(); ++c) statistic += (counts[c] - n * p[c]) * (counts[c] - n * p[c]) / (n * p[c]);
  return statistic;
}

}  // namespace

TEST_CASE("RelaxedOneHotCategorical: draws approach one-hot draws with the softmax's frequencies as T falls") {
  const std::vector<float> logits = {0.5f, -1.0f, 1.5f, 0.0f};
  const std::vector<double> p = softmax(logits);
  const double kChiSquareCritical = 16.266;  // 3 degrees of freedom, 0.1%
  double previous_distance = 1;
  for (float temperature : {2.0f, 1.0f, 0.5f, 0.1f, 0.02f, 0.005f}) {
    CAPTURE(temperature);
    Tape tape;
    Rng rng(11);
    RelaxedOneHotCategorical d(temperature, tape.input(repeated_rows(logits)));
    Var x = d.rsample(rng);
    // The distance from the nearest vertex, 1 - max_c x_c, falls with T; the rows sum to 1.
    double distance = 0, near_vertex = 0;
    std::vector<double> counts(logits.size(), 0.0), soft_counts(logits.size(), 0.0);
    for (int64_t n = 0; n < kRows; ++n) {
      const float* row = x.data() + n * 4;
      int best = 0;
      double total = 0;
      for (int c = 0; c < 4; ++c) {
        total += row[c];
        soft_counts[static_cast<size_t>(c)] += row[c];
        if (row[c] > row[best]) best = c;
      }
      REQUIRE(total == doctest::Approx(1.0).epsilon(1e-5));
      distance += 1 - row[best];
      counts[static_cast<size_t>(best)] += 1;
      if (row[best] > 0.99f) near_vertex += 1;
    }
    distance /= kRows;
    CHECK(distance < previous_distance);
    previous_distance = distance;
    CHECK(chi_square(counts, p, kRows) < kChiSquareCritical);  // the argmax is a categorical draw at any T
    if (temperature <= 0.005f) {
      CHECK(distance < 0.005);
      CHECK(near_vertex > 0.97 * kRows);
      // The relaxed draws themselves, summed, are counts of the softmax's frequencies:
      // E[x_c] tends to P(class c) as T falls.
      CHECK(chi_square(soft_counts, p, kRows) < kChiSquareCritical);
    }
    if (temperature >= 2.0f) CHECK(distance > 0.2);  // far from one-hot when warm
  }
}

TEST_CASE("RelaxedBernoulli: draws approach Bernoulli draws as T falls") {
  const float logit = -0.8f;
  const double p = 1 / (1 + std::exp(0.8));
  double previous_distance = 1;
  for (float temperature : {2.0f, 1.0f, 0.3f, 0.05f, 0.01f}) {
    CAPTURE(temperature);
    Tape tape;
    Rng rng(12);
    RelaxedBernoulli d(temperature, tape.constant({kRows}, logit));
    Var x = d.rsample(rng);
    double distance = 0, ones = 0;
    for (int64_t i = 0; i < kRows; ++i) {
      const float v = x.data()[i];
      REQUIRE((v >= 0.0f && v <= 1.0f));
      distance += std::min(v, 1.0f - v);
      ones += v > 0.5f ? 1 : 0;
    }
    distance /= kRows;
    CHECK(distance < previous_distance);
    previous_distance = distance;
    CHECK(chi_square({kRows - ones, ones}, {1 - p, p}, kRows) < 10.828);  // 1 degree of freedom, 0.1%
    if (temperature <= 0.01f) CHECK(distance < 0.005);
  }
}

TEST_CASE("relaxed log_prob against PyTorch, the two-class identity and the binary density's integral") {
  struct CategoricalCase {
    float temperature;
    std::vector<float> logits, x;
    double log_prob;
  };
  for (const CategoricalCase& c : std::vector<CategoricalCase>{
           {0.5f, {0.3f, -1.2f, 2.0f}, {0.2f, 0.1f, 0.7f}, -0.8390092997984935},
           {1.0f, {0.0f, 0.0f, 0.0f, 0.0f}, {0.1f, 0.2f, 0.3f, 0.4f}, 1.710115386806934},
           {0.1f, {1.0f, -0.5f, 0.2f}, {0.05f, 0.05f, 0.9f}, -1.7376588861561615},
           {2.5f, {-2.0f, 3.0f}, {0.35f, 0.65f}, -1.1178628791432517},
       }) {
    CAPTURE(c.temperature);
    Tape tape;
    const int64_t classes = static_cast<int64_t>(c.logits.size());
    RelaxedOneHotCategorical d(c.temperature, tape.input(Tensor::from_values({1, classes}, c.logits)));
    CHECK(d.log_prob(tape.input(Tensor::from_values({1, classes}, c.x))).data()[0] ==
          doctest::Approx(c.log_prob).epsilon(2e-5));
  }
  struct BernoulliCase {
    float temperature, logit, x;
    double log_prob;
  };
  for (const BernoulliCase& c : std::vector<BernoulliCase>{
           {0.5f, 0.7f, 0.3f, -0.8191112288945628},
           {0.1f, -1.5f, 0.02f, -0.0504664903384473},
           {1.0f, 0.0f, 0.5f, 0.0},
           {2.0f, 2.5f, 0.9f, 0.9264223812225711},
           {0.3f, 4.0f, 0.999f, 3.5052429787175},
       }) {
    CAPTURE(c.temperature);
    CAPTURE(c.x);
    Tape tape;
    RelaxedBernoulli d(c.temperature, tape.constant({1}, c.logit));
    CHECK(d.log_prob(tape.constant({1}, c.x)).data()[0] == doctest::Approx(c.log_prob).epsilon(2e-5));
  }
  // Two classes: (x, 1 - x) has the binary density of x with logit l_1 - l_0, in the
  // first coordinate (the simplex's density is over all but one coordinate).
  for (float x : {0.03f, 0.4f, 0.8f}) {
    Tape tape;
    RelaxedOneHotCategorical two(0.7f, tape.input(Tensor::from_values({1, 2}, {-0.3f, 0.9f})));
    RelaxedBernoulli one(0.7f, tape.constant({1}, 0.9f + 0.3f));
    CHECK(two.log_prob(tape.input(Tensor::from_values({1, 2}, {1.0f - x, x}))).data()[0] ==
          doctest::Approx(one.log_prob(tape.constant({1}, x)).data()[0]).epsilon(1e-5));
  }
  // The binary density integrates to 1: over y = logit x, where p_x dx = p_x x (1 - x) dy,
  // for |y| <= 16, where x is still a float below 1 (the mass beyond is below 1e-3 here).
  for (float temperature : {0.5f, 1.0f, 3.0f}) {
    const int points = 40001;
    const double low = -16, high = 16, step = (high - low) / (points - 1);
    Tensor x({points});
    for (int i = 0; i < points; ++i) x[i] = static_cast<float>(1 / (1 + std::exp(-(low + i * step))));
    Tape tape;
    RelaxedBernoulli d(temperature, tape.constant({points}, 0.6f));
    Var log_density = d.log_prob(tape.input(x));
    double integral = 0;
    for (int i = 0; i < points; ++i) {
      const double y = low + i * step, xv = 1 / (1 + std::exp(-y));
      const double v = std::exp(static_cast<double>(log_density.data()[i])) * xv * (1 - xv);
      if (std::isfinite(v)) integral += v * step;
    }
    CAPTURE(temperature);
    CHECK(integral == doctest::Approx(1.0).epsilon(1e-3));
  }
}

TEST_CASE("straight-through: the draw is exactly one-hot, the gradient is the relaxed draw's") {
  const std::vector<float> logits = {0.2f, -0.7f, 1.1f};
  Parameter hard_logits("logits", repeated_rows(logits)), soft_logits("logits", repeated_rows(logits));
  Tensor weights({kRows, 3});
  Rng weight_rng(5);
  for (int64_t i = 0; i < weights.numel(); ++i) weights[i] = weight_rng.uniform(-1.0f, 1.0f);
  Var hard, soft;
  {
    Tape tape;
    Rng rng(13);
    RelaxedOneHotCategorical d(0.5f, tape.param(hard_logits), RelaxedDraw::straight_through);
    hard = d.rsample(rng);
    for (int64_t n = 0; n < kRows; ++n) {
      int ones = 0, zeros = 0;
      for (int c = 0; c < 3; ++c) {
        const float v = hard.data()[n * 3 + c];
        ones += v == 1.0f;
        zeros += v == 0.0f;
      }
      REQUIRE((ones == 1 && zeros == 2));
    }
    Tape soft_tape;
    Rng same_rng(13);
    RelaxedOneHotCategorical relaxed(0.5f, soft_tape.param(soft_logits));
    soft = relaxed.rsample(same_rng);
    // The one-hot marks the relaxed draw's largest entry.
    for (int64_t n = 0; n < kRows; ++n) {
      int best = 0;
      for (int c = 1; c < 3; ++c)
        if (soft.data()[n * 3 + c] > soft.data()[n * 3 + best]) best = c;
      REQUIRE(hard.data()[n * 3 + best] == 1.0f);
    }
    tape.backward(sum(mul(hard, tape.input(weights))));
    soft_tape.backward(sum(mul(soft, soft_tape.input(weights))));
  }
  for (int64_t i = 0; i < hard_logits.grad().numel(); ++i) REQUIRE(hard_logits.grad()[i] == soft_logits.grad()[i]);

  // The binary family: a 0/1 draw, 1 with frequency sigmoid(l), and the relaxed gradient.
  Parameter b_hard("logits", Tensor::full({kRows}, 0.4f)), b_soft("logits", Tensor::full({kRows}, 0.4f));
  {
    Tape tape, soft_tape;
    Rng rng(14), same_rng(14);
    Var h = RelaxedBernoulli(0.3f, tape.param(b_hard), RelaxedDraw::straight_through).rsample(rng);
    Var s = RelaxedBernoulli(0.3f, soft_tape.param(b_soft)).rsample(same_rng);
    double ones = 0;
    for (int64_t i = 0; i < kRows; ++i) {
      REQUIRE((h.data()[i] == 0.0f || h.data()[i] == 1.0f));
      REQUIRE(h.data()[i] == (s.data()[i] > 0.5f ? 1.0f : 0.0f));
      ones += h.data()[i];
    }
    const double p = 1 / (1 + std::exp(-0.4));
    CHECK(std::fabs(ones / kRows - p) < 5 * std::sqrt(p * (1 - p) / kRows));
    tape.backward(sum(mul(h, h)));  // d/dh of h^2 is 2h, evaluated at the hard draw
    soft_tape.backward(sum(mul(s, soft_tape.input(h.value()) * 2.0f)));
  }
  for (int64_t i = 0; i < kRows; ++i) REQUIRE(b_hard.grad()[i] == doctest::Approx(b_soft.grad()[i]).epsilon(1e-6));
}

TEST_CASE("relaxed rsample and log_prob are gradient-checked; the straight-through draw is not a derivative") {
  for (float temperature : {0.3f, 1.0f, 2.0f}) {
    CAPTURE(temperature);
    // A fixed seed: every evaluation of the draw sees the same noise.
    GradcheckReport draw = gradcheck(
        [temperature](std::span<const Var> v) {
          Rng rng(21);
          Var x = RelaxedOneHotCategorical(temperature, v[0]).rsample(rng);
          return sum(mul(x, v[1]));
        },
        {Tensor::from_values({2, 3}, {0.1f, -0.4f, 0.8f, 1.0f, 0.2f, -0.6f}),
         Tensor::from_values({2, 3}, {0.3f, -1.0f, 2.0f, 0.5f, 1.5f, -0.2f})});
    INFO(draw.to_string());
    CHECK(draw.passed);
    GradcheckReport density = gradcheck(
        [temperature](std::span<const Var> v) {
          return sum(RelaxedOneHotCategorical(temperature, v[0]).log_prob(v[1]));
        },
        {Tensor::from_values({2, 3}, {0.1f, -0.4f, 0.8f, 1.0f, 0.2f, -0.6f}),
         Tensor::from_values({2, 3}, {0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f})});
    INFO(density.to_string());
    CHECK(density.passed);
    GradcheckReport binary_draw = gradcheck(
        [temperature](std::span<const Var> v) {
          Rng rng(22);
          return sum(square(RelaxedBernoulli(temperature, v[0]).rsample(rng)));
        },
        {Tensor::from_values({4}, {-1.0f, 0.1f, 0.5f, 2.0f})});
    INFO(binary_draw.to_string());
    CHECK(binary_draw.passed);
    GradcheckReport binary_density = gradcheck(
        [temperature](std::span<const Var> v) { return sum(RelaxedBernoulli(temperature, v[0]).log_prob(v[1])); },
        {Tensor::from_values({4}, {-1.0f, 0.1f, 0.5f, 2.0f}), Tensor::from_values({4}, {0.1f, 0.4f, 0.6f, 0.85f})});
    INFO(binary_density.to_string());
    CHECK(binary_density.passed);
  }
  // The straight-through gradient is not the derivative of the one-hot draw (which is 0
  // almost everywhere), and gradcheck says so.
  GradcheckReport straight = gradcheck(
      [](std::span<const Var> v) {
        Rng rng(23);
        return sum(mul(RelaxedOneHotCategorical(0.5f, v[0], RelaxedDraw::straight_through).rsample(rng), v[1]));
      },
      {Tensor::from_values({1, 3}, {0.1f, -0.4f, 0.8f}), Tensor::from_values({1, 3}, {0.3f, -1.0f, 2.0f})});
  CHECK_FALSE(straight.passed);
}

TEST_CASE("relaxed families refuse bad temperatures, shapes and values") {
  Tape tape;
  Var logits = tape.input(Tensor::from_values({1, 3}, {0.0f, 1.0f, 2.0f}));
  for (float bad : {0.0f, -1.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    CHECK_THROWS_AS(RelaxedOneHotCategorical(bad, logits), Error);
    CHECK_THROWS_AS(RelaxedBernoulli(bad, logits), Error);
  }
  CHECK_THROWS_WITH_AS(RelaxedOneHotCategorical(0.0f, logits),
                       "RelaxedOneHotCategorical: the temperature must be positive and finite, got 0", Error);
  CHECK_THROWS_WITH_AS(RelaxedOneHotCategorical(1.0f, tape.constant({3}, 0.0f)),
                       "RelaxedOneHotCategorical: logits [3] must be [N, C] with C >= 2", Error);
  RelaxedOneHotCategorical d(1.0f, logits);
  CHECK_THROWS_WITH_AS(d.log_prob(tape.input(Tensor::from_values({1, 3}, {0.5f, 0.5f, 1.5f}))),
                       "RelaxedOneHotCategorical: x must lie in [0, 1], got 1.5 at index 2", Error);
  CHECK_THROWS_AS(d.log_prob(tape.constant({1, 2}, 0.5f)), Error);
  RelaxedBernoulli b(1.0f, tape.constant({2}, 0.0f));
  CHECK_THROWS_WITH_AS(b.log_prob(tape.constant({2}, -0.5f)),
                       "RelaxedBernoulli: x must lie in [0, 1], got -0.5 at index 0", Error);
}
