// Tests for autodiff/gradcheck.cpp: it passes correct derivatives and catches wrong ones.
#include <doctest/doctest.h>

#include <cmath>

#include "autodiff/autodiff.h"
#include "autodiff/ops/elementwise_op.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

namespace {
// A planted error: y = x^2 with the derivative dy * x (the factor 2 is missing).
Var square_with_wrong_derivative(Var x) {
  return unary_op("bad_square", x, [](float v) { return v * v; }, [](float dy, float v, float) { return dy * v; });
}
// Another: y = sin x with the derivative's sign flipped.
Var sin_with_wrong_sign(Var x) {
  return unary_op("bad_sin", x, [](float v) { return std::sin(v); },
                  [](float dy, float v, float) { return -dy * std::cos(v); });
}
// A correct custom op, written the same way: y = sin x;  dx += dy cos x
Var sin_op(Var x) {
  return unary_op(
      "sin", x, [](float v) { return std::sin(v); }, [](float dy, float v, float) { return dy * std::cos(v); });
}
// A derivative that forgets to flow: the backward adds nothing.
Var exp_without_backward(Var x) {
  return unary_op("silent_exp", x, [](float v) { return std::exp(v); }, [](float, float, float) { return 0.0f; });
}
}  // namespace

TEST_CASE("gradcheck passes a correct custom op") {
  GradcheckReport report =
      gradcheck([](std::span<const Var> x) { return sin_op(x[0]); }, {random_tensor({4, 3}, 80)});
  INFO(report.to_string());
  CHECK(report.passed);
  CHECK(report.inputs.at(0).worst_error < 1e-3);  // two orders below the tolerance
}

TEST_CASE("gradcheck catches planted wrong derivatives") {
  for (auto op : {square_with_wrong_derivative, sin_with_wrong_sign, exp_without_backward}) {
    GradcheckReport report = gradcheck([op](std::span<const Var> x) { return op(x[0]); }, {random_tensor({5}, 81)});
    INFO(report.to_string());
    CHECK_FALSE(report.passed);
    CHECK(report.inputs.at(0).worst_error > 0.3);
  }
}

TEST_CASE("gradcheck catches a wrong derivative of one input among several") {
  GradcheckReport report = gradcheck(
      [](std::span<const Var> x) { return add(mul(x[0], x[1]), square_with_wrong_derivative(x[1])); },
      {random_tensor({3}, 82), random_tensor({3}, 83)});
  CHECK_FALSE(report.passed);
  CHECK(report.inputs.at(0).passed);
  CHECK_FALSE(report.inputs.at(1).passed);
}

TEST_CASE("gradcheck fails when both gradients are zero everywhere") {
  // The output does not depend on x[1]: nothing about its derivative is checked.
  GradcheckReport report =
      gradcheck([](std::span<const Var> x) { return add(exp(x[0]), mul(x[1], 0.0f)); }, {random_tensor({3}, 84),
                                                                                      random_tensor({3}, 85)});
  CHECK_FALSE(report.passed);
  CHECK(report.inputs.at(0).passed);
  CHECK(report.inputs.at(1).all_zero);
  CHECK(report.to_string().find("zero everywhere") != std::string::npos);
}

TEST_CASE("gradcheck fails on non-finite gradients") {
  GradcheckReport report =
      gradcheck([](std::span<const Var> x) { return log(x[0]); }, {Tensor::from_values({2}, {1, 0})});
  CHECK_FALSE(report.passed);
  CHECK(report.inputs.at(0).non_finite);
}

TEST_CASE("gradcheck is deterministic") {
  auto run = [] {
    return gradcheck([](std::span<const Var> x) { return tanh(x[0]); }, {random_tensor({6}, 86)}).inputs[0].worst_error;
  };
  CHECK(run() == run());
}
