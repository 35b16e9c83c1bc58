// Tests for autodiff/ops/unary.cpp: values against <cmath>, gradients against finite
// differences on random inputs away from kinks, and edge inputs (0, large, +-inf, NaN).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "autodiff/autodiff.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

namespace {

struct UnaryCase {
  const char* name;
  UnaryOp op;
  float (*reference)(float);
  float low, high;            // the domain of the random gradient check
  std::vector<float> kinks;   // points where the derivative jumps
};

float sigmoid_reference(float v) { return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v)))); }
float softplus_reference(float v) { return static_cast<float>(std::log1p(std::exp(static_cast<double>(v)))); }

std::vector<UnaryCase> unary_cases() {
  return {
      {"neg", [](Var x) { return neg(x); }, [](float v) { return -v; }, -3, 3, {}},
      {"exp", [](Var x) { return exp(x); }, [](float v) { return std::exp(v); }, -3, 3, {}},
      {"log", [](Var x) { return log(x); }, [](float v) { return std::log(v); }, 0.2f, 4, {}},
      {"log1p", [](Var x) { return log1p(x); }, [](float v) { return std::log1p(v); }, -0.7f, 3, {}},
      {"expm1", [](Var x) { return expm1(x); }, [](float v) { return std::expm1(v); }, -3, 3, {}},
      {"sqrt", [](Var x) { return sqrt(x); }, [](float v) { return std::sqrt(v); }, 0.2f, 4, {}},
      {"square", [](Var x) { return square(x); }, [](float v) { return v * v; }, -3, 3, {}},
      {"abs", [](Var x) { return abs(x); }, [](float v) { return std::fabs(v); }, -3, 3, {0}},
      {"relu", [](Var x) { return relu(x); }, [](float v) { return v > 0 ? v : 0.0f; }, -3, 3, {0}},
      {"leaky_relu (slope 0.2)",
       [](Var x) { return leaky_relu(x, 0.2f); },
       [](float v) { return v > 0 ? v : 0.2f * v; },
       -3,
       3,
       {0}},
      {"elu (alpha 1.5)",
       [](Var x) { return elu(x, 1.5f); },
       [](float v) { return v > 0 ? v : 1.5f * std::expm1(v); },
       -3,
       3,
       {0}},
      // The fused layers' parameters, which run the vectorized activation kernel
      {"leaky_relu", [](Var x) { return leaky_relu(x); }, [](float v) { return v > 0 ? v : 0.01f * v; }, -3, 3, {0}},
      {"elu", [](Var x) { return elu(x); }, [](float v) { return v > 0 ? v : std::expm1(v); }, -3, 3, {0}},
      {"sigmoid", [](Var x) { return sigmoid(x); }, sigmoid_reference, -5, 5, {}},
      {"log_sigmoid",
       [](Var x) { return log_sigmoid(x); },
       [](float v) { return static_cast<float>(std::log(sigmoid_reference(v))); },
       -5,
       5,
       {}},
      {"tanh", [](Var x) { return tanh(x); }, [](float v) { return std::tanh(v); }, -3, 3, {}},
      {"softplus", [](Var x) { return softplus(x); }, softplus_reference, -5, 5, {}},
      {"clamp",
       [](Var x) { return clamp(x, -1.0f, 0.5f); },
       [](float v) { return std::min(std::max(v, -1.0f), 0.5f); },
       -3,
       3,
       {-1.0f, 0.5f}},
      {"pow", [](Var x) { return pow(x, 2.5f); }, [](float v) { return std::pow(v, 2.5f); }, 0.2f, 3, {}},
      {"add_scalar", [](Var x) { return x + 1.5f; }, [](float v) { return v + 1.5f; }, -3, 3, {}},
      {"mul_scalar", [](Var x) { return 3.0f * x; }, [](float v) { return 3.0f * v; }, -3, 3, {}},
      {"div_scalar", [](Var x) { return x / 4.0f; }, [](float v) { return v / 4.0f; }, -3, 3, {}},
      {"rsub_scalar", [](Var x) { return 1.0f - x; }, [](float v) { return 1.0f - v; }, -3, 3, {}},
  };
}

}  // namespace

TEST_CASE("unary ops: every activation of kernels/activation.h has its row above, and activate() is that op") {
  for (kernels::Activation a : kernels::kAllActivations) {
    if (a == kernels::Activation::identity) continue;
    const std::string name = kernels::activation_name(a);
    CAPTURE(name);
    const std::vector<UnaryCase> cases = unary_cases();
    const auto row = std::find_if(cases.begin(), cases.end(), [&](const UnaryCase& c) { return c.name == name; });
    REQUIRE(row != cases.end());
    const std::vector<float> xs = {-2.5f, -0.5f, 0.0f, 0.25f, 3.0f};
    check_values(outputs_at([a](Var x) { return activate(x, a); }, xs), outputs_at(row->op, xs), 0.0f);
    check_values(derivatives_at([a](Var x) { return activate(x, a); }, xs), derivatives_at(row->op, xs), 0.0f);
  }
  Tape tape;
  Var x = tape.input(Tensor::ones({2}));
  CHECK(activate(x, kernels::Activation::identity).index() == x.index());
  CHECK_THROWS_WITH_AS(activate(x, static_cast<kernels::Activation>(200)),
                       "activate: activation 200 is not one of kernels::Activation's (input shape [2])", Error);
}

TEST_CASE("unary ops: values match the reference") {
  for (const UnaryCase& c : unary_cases()) {
    SUBCASE(c.name) {
      Tensor x = random_tensor({4, 5}, 1, c.low, c.high);
      std::vector<float> xs(x.values().begin(), x.values().end()), expected;
      for (float v : xs) expected.push_back(c.reference(v));
      check_values(outputs_at(c.op, xs), expected, 2e-6f);
    }
  }
}

TEST_CASE("unary ops: gradients match finite differences") {
  for (const UnaryCase& c : unary_cases()) {
    SUBCASE(c.name) {
      UnaryOp op = c.op;
      check_gradients([op](std::span<const Var> x) { return op(x[0]); },
                      {random_tensor({3, 7}, 2, c.low, c.high, c.kinks)});
    }
  }
}

TEST_CASE("unary ops: edge inputs give defined values") {
  const float big = 1e30f;
  check_values(outputs_at([](Var x) { return exp(x); }, {0, -kInf, kInf, 100, kNaN}), {1, 0, kInf, kInf, kNaN});
  check_values(outputs_at([](Var x) { return log(x); }, {0, -1, kInf, 1}), {-kInf, kNaN, kInf, 0});
  check_values(outputs_at([](Var x) { return log1p(x); }, {-1, 1e-10f, kInf}), {-kInf, 1e-10f, kInf});
  check_values(outputs_at([](Var x) { return expm1(x); }, {1e-10f, -kInf, kInf}), {1e-10f, -1, kInf});
  check_values(outputs_at([](Var x) { return sqrt(x); }, {0, -1, kInf}), {0, kNaN, kInf});
  check_values(outputs_at([](Var x) { return relu(x); }, {0, -kInf, kInf, kNaN}), {0, 0, kInf, kNaN});
  check_values(outputs_at([](Var x) { return abs(x); }, {-kInf, kNaN, -0.0f}), {kInf, kNaN, 0});
  check_values(outputs_at([](Var x) { return elu(x); }, {-kInf, kInf, 0}), {-1, kInf, 0});
  // The stable forms: no overflow to NaN at large magnitudes.
  check_values(outputs_at([](Var x) { return sigmoid(x); }, {-kInf, kInf, -big, big, 0, kNaN}),
               {0, 1, 0, 1, 0.5f, kNaN});
  check_values(outputs_at([](Var x) { return softplus(x); }, {-big, big, 1000, -1000, kInf, -kInf, kNaN}),
               {0, big, 1000, 0, kInf, 0, kNaN});
  check_values(outputs_at([](Var x) { return log_sigmoid(x); }, {-1000, 1000, -kInf, kInf, 0}),
               {-1000, 0, -kInf, 0, -std::log(2.0f)});
  check_values(outputs_at([](Var x) { return tanh(x); }, {-kInf, kInf, big, kNaN}), {-1, 1, 1, kNaN});
  check_values(outputs_at([](Var x) { return clamp(x, -1, 1); }, {-kInf, kInf, kNaN}), {-1, 1, kNaN});
}

TEST_CASE("unary ops: edge derivatives are the limits") {
  check_values(derivatives_at([](Var x) { return sigmoid(x); }, {-1000, 1000, 0}), {0, 0, 0.25f});
  check_values(derivatives_at([](Var x) { return softplus(x); }, {-1000, 1000}), {0, 1});
  check_values(derivatives_at([](Var x) { return log_sigmoid(x); }, {-1000, 1000}), {1, 0});
  check_values(derivatives_at([](Var x) { return tanh(x); }, {-100, 100}), {0, 0});
  check_values(derivatives_at([](Var x) { return relu(x); }, {0, -1, 2}), {0, 0, 1});
  check_values(derivatives_at([](Var x) { return abs(x); }, {0, -2, 2}), {0, -1, 1});
  check_values(derivatives_at([](Var x) { return clamp(x, -1, 1); }, {-1, 1, 2, -2}), {1, 1, 0, 0});
  check_values(derivatives_at([](Var x) { return log(x); }, {0}), {kInf});
  check_values(derivatives_at([](Var x) { return exp(x); }, {-kInf}), {0});
}

TEST_CASE("unary ops: bad arguments are refused") {
  Tape tape;
  Var x = tape.input(Tensor::ones({2, 3}));
  CHECK_THROWS_WITH_AS(clamp(x, 1.0f, -1.0f), "clamp: low 1 is above high -1 (input shape [2,3])", Error);
  CHECK_THROWS_WITH_AS(div(x, 0.0f), "div: division of shape [2,3] by the scalar 0", Error);
  // The derivatives read the sign of x from y, which a slope or alpha <= 0 would not keep.
  CHECK_THROWS_WITH_AS(leaky_relu(x, 0.0f), "leaky_relu: slope 0 must be positive and finite (input shape [2,3])",
                       Error);
  CHECK_THROWS_WITH_AS(leaky_relu(x, -0.5f), "leaky_relu: slope -0.5 must be positive and finite (input shape [2,3])",
                       Error);
  CHECK_THROWS_AS(leaky_relu(x, kNaN), Error);
  CHECK_THROWS_WITH_AS(elu(x, -1.0f), "elu: alpha -1 must be positive and finite (input shape [2,3])", Error);
  CHECK_THROWS_AS(elu(x, kInf), Error);
}
