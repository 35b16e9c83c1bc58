// Helpers for the op tests: one line checks an op's values or its gradient.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "autodiff/autodiff.h"

namespace aevb::testing {

inline constexpr float kInf = std::numeric_limits<float>::infinity();
inline const float kNaN = std::numeric_limits<float>::quiet_NaN();

// Uniform values in [low, high], each at least `gap` from every point in `kinks`
// (so finite differences never straddle a kink).
inline Tensor random_tensor(const Shape& shape, uint64_t seed, float low = -2.0f, float high = 2.0f,
                            std::vector<float> kinks = {}, float gap = 0.1f) {
  Rng rng(seed);
  Tensor tensor(shape);
  for (int64_t i = 0; i < tensor.numel(); ++i) {
    float v;
    bool near_kink;
    do {
      v = rng.uniform(low, high);
      near_kink = false;
      for (float kink : kinks) near_kink = near_kink || std::fabs(v - kink) < gap;
    } while (near_kink);
    tensor[i] = v;
  }
  return tensor;
}

// Runs gradcheck and fails the test with the report when it does not pass.
inline void check_gradients(const GradcheckFunction& f, std::vector<Tensor> inputs, GradcheckOptions options = {}) {
  GradcheckReport report = gradcheck(f, std::move(inputs), options);
  INFO(report.to_string());
  CHECK(report.passed);
}

// Equal floats, or both NaN, or within a relative tolerance.
inline bool same_value(float actual, float expected, float relative = 1e-5f) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::fabs(actual - expected) <= relative * std::max(1.0f, std::fabs(expected));
}

using UnaryOp = std::function<Var(Var)>;

// The op's outputs at the given points.
inline std::vector<float> outputs_at(const UnaryOp& op, const std::vector<float>& xs) {
  Tape tape;
  Var y = op(tape.input(Tensor::from_values({static_cast<int64_t>(xs.size())}, xs)));
  return std::vector<float>(y.data(), y.data() + xs.size());
}

// d/dx of the op at each point (the gradient of the sum of outputs).
inline std::vector<float> derivatives_at(const UnaryOp& op, const std::vector<float>& xs) {
  Parameter x("x", Tensor::from_values({static_cast<int64_t>(xs.size())}, xs));
  Tape tape;
  tape.backward(sum(op(tape.param(x))));
  return std::vector<float>(x.grad().data(), x.grad().data() + xs.size());
}

inline void check_values(const std::vector<float>& actual, const std::vector<float>& expected,
                         float relative = 1e-5f) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    INFO("element " << i << ": got " << actual[i] << ", expected " << expected[i]);
    CHECK(same_value(actual[i], expected[i], relative));
  }
}

}  // namespace aevb::testing
