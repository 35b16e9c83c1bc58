// Tests for autodiff/ops/special.cpp: lgamma and digamma.
#include <doctest/doctest.h>

#include <cmath>

#include "autodiff/autodiff.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

TEST_CASE("lgamma: values, gradients (digamma), edges") {
  check_values(outputs_at([](Var x) { return lgamma(x); }, {1, 2, 0.5f, 10, -0.5f}),
               {0, 0, std::log(std::sqrt(3.14159265f)), std::log(362880.0f), std::log(2 * std::sqrt(3.14159265f))});
  check_values(outputs_at([](Var x) { return lgamma(x); }, {0, kInf, kNaN}), {kInf, kInf, kNaN});
  check_gradients([](std::span<const Var> v) { return lgamma(v[0]); }, {random_tensor({8}, 70, 0.3f, 8)});
  check_gradients([](std::span<const Var> v) { return lgamma(v[0]); }, {random_tensor({4}, 71, -2.8f, -2.2f)});
}

TEST_CASE("digamma: values, gradients (trigamma), poles") {
  const float euler_gamma = 0.5772156649f;
  check_values(outputs_at([](Var x) { return digamma(x); }, {1, 2, 0.5f, 100}),
               {-euler_gamma, 1 - euler_gamma, -euler_gamma - 2 * std::log(2.0f), 4.600161852f}, 1e-5f);
  check_values(outputs_at([](Var x) { return digamma(x); }, {0, -1, -kInf, kInf, kNaN}),
               {kNaN, kNaN, kNaN, kInf, kNaN});
  check_gradients([](std::span<const Var> v) { return digamma(v[0]); }, {random_tensor({8}, 72, 0.5f, 8)});
  check_gradients([](std::span<const Var> v) { return digamma(v[0]); }, {random_tensor({4}, 73, -1.8f, -1.2f)});
}
