// Tests for autodiff/ops/loss.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "autodiff/autodiff.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

TEST_CASE("bce_with_logits: value, stability at large logits, gradients") {
  Tape tape;
  Var logits = tape.input(Tensor::from_values({5}, {0, 2, -3, 1000, -1000}));
  Var targets = tape.input(Tensor::from_values({5}, {1, 0, 0.25f, 1, 1}));
  Var y = bce_with_logits(logits, targets);
  auto reference = [](double l, double t) {
    double p = 1 / (1 + std::exp(-l));
    return -(t * std::log(p) + (1 - t) * std::log(1 - p));
  };
  check_values({y.data(), y.data() + 3},
               {static_cast<float>(reference(0, 1)), static_cast<float>(reference(2, 0)),
                static_cast<float>(reference(-3, 0.25))});
  CHECK(y.data()[3] == 0.0f);     // logit 1000, target 1: certain and right
  CHECK(y.data()[4] == 1000.0f);  // logit -1000, target 1: finite, no overflow
  check_gradients([](std::span<const Var> v) { return bce_with_logits(v[0], v[1]); },
                  {random_tensor({3, 4}, 60, -4, 4), random_tensor({3, 4}, 61, 0, 1)});
}

TEST_CASE("gaussian_nll: value against the normal density, gradients") {
  Tape tape;
  Var y =
      gaussian_nll(tape.input(Tensor::from_values({2}, {1.5f, -1})), tape.input(Tensor::from_values({2}, {0.5f, 2})),
                   tape.input(Tensor::from_values({2}, {0, std::log(4.0f)})));
  auto reference = [](double x, double m, double variance) {
    return 0.5 * std::log(2 * std::numbers::pi * variance) + (x - m) * (x - m) / (2 * variance);
  };
  check_values({y.data(), y.data() + 2},
               {static_cast<float>(reference(1.5, 0.5, 1)), static_cast<float>(reference(-1, 2, 4))});
  check_gradients([](std::span<const Var> v) { return gaussian_nll(v[0], v[1], v[2]); },
                  {random_tensor({2, 3}, 62), random_tensor({2, 3}, 63), random_tensor({2, 3}, 64, -1, 1)});
}

TEST_CASE("mse: value and gradients") {
  Tape tape;
  Var loss =
      mse(tape.input(Tensor::from_values({2, 2}, {1, 2, 3, 4})), tape.input(Tensor::from_values({2, 2}, {0, 2, 5, 4})));
  CHECK(loss.item() == doctest::Approx(5.0 / 4));
  check_gradients([](std::span<const Var> v) { return mse(v[0], v[1]); },
                  {random_tensor({3, 2}, 65), random_tensor({3, 2}, 66)});
}

TEST_CASE("losses: shapes must agree") {
  Tape tape;
  Var a = tape.input(Tensor::zeros({4, 1})), b = tape.input(Tensor::zeros({4}));
  CHECK_THROWS_WITH_AS(mse(a, b), "mse: prediction [4,1] and target [4] must have the same shape", Error);
  CHECK_THROWS_WITH_AS(bce_with_logits(a, b), "bce_with_logits: logits [4,1] and targets [4] must have the same shape",
                       Error);
  CHECK_THROWS_WITH_AS(gaussian_nll(a, a, b),
                       "gaussian_nll: x [4,1], mean [4,1] and log_variance [4] must have the same shape", Error);
}
