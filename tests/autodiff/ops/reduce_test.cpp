// Tests for autodiff/ops/reduce.cpp.
#include <doctest/doctest.h>

#include <cmath>

#include "autodiff/autodiff.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

TEST_CASE("sum and mean: values along every axis, keepdim shapes") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6}));
  CHECK(sum(x).item() == 21);
  CHECK(sum(x).shape() == Shape{});
  CHECK(mean(x).item() == doctest::Approx(3.5));
  Var rows = sum(x, 1);
  CHECK(rows.shape() == Shape{2});
  check_values({rows.data(), rows.data() + 2}, {6, 15});
  Var columns = sum(x, 0, true);
  CHECK(columns.shape() == Shape{1, 3});
  check_values({columns.data(), columns.data() + 3}, {5, 7, 9});
  Var last = mean(x, -1, true);
  CHECK(last.shape() == Shape{2, 1});
  check_values({last.data(), last.data() + 2}, {2, 5});
}

TEST_CASE("reductions: gradients match finite differences along each axis of a rank-3 tensor") {
  for (int axis : {0, 1, 2, -1})
    for (bool keepdim : {false, true}) {
      CAPTURE(axis);
      CAPTURE(keepdim);
      Tensor x = random_tensor({2, 3, 4}, 10 + static_cast<uint64_t>(axis + 1));
      check_gradients([=](std::span<const Var> v) { return sum(v[0], axis, keepdim); }, {x});
      check_gradients([=](std::span<const Var> v) { return mean(v[0], axis, keepdim); }, {x});
      check_gradients([=](std::span<const Var> v) { return max(v[0], axis, keepdim); }, {x});
      check_gradients([=](std::span<const Var> v) { return logsumexp(v[0], axis, keepdim); }, {x});
    }
  check_gradients([](std::span<const Var> v) { return sum(v[0]); }, {random_tensor({3, 5}, 20)});
  check_gradients([](std::span<const Var> v) { return mean(v[0]); }, {random_tensor({3, 5}, 21)});
}

TEST_CASE("max: value, first maximum takes the gradient, NaN propagates") {
  Parameter p("p", Tensor::from_values({2, 3}, {1, 3, 3, -1, -5, kNaN}));
  Tape tape;
  Var m = max(tape.param(p), 1);
  CHECK(m.data()[0] == 3);
  CHECK(std::isnan(m.data()[1]));
  tape.backward(sum(slice(m, 0, 0, 1)));
  check_values({p.grad().data(), p.grad().data() + 6}, {0, 1, 0, 0, 0, 0});
}

TEST_CASE("logsumexp: stable for large values, defined at infinities") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({4, 2}, {1000, 1000, -1000, -1000, -kInf, -kInf, kInf, 0}));
  Var y = logsumexp(x, 1);
  check_values({y.data(), y.data() + 4}, {1000 + std::log(2.0f), -1000 + std::log(2.0f), -kInf, kInf});
  // Gradient is the softmax; no gradient flows where every entry is -inf.
  Parameter p("p", Tensor::from_values({2, 2}, {1000, 1000, -kInf, -kInf}));
  Tape tape2;
  tape2.backward(sum(logsumexp(tape2.param(p), 1)));
  check_values({p.grad().data(), p.grad().data() + 4}, {0.5f, 0.5f, 0, 0});
}

TEST_CASE("reductions: a bad axis is refused naming the op and the shape") {
  Tape tape;
  Var x = tape.input(Tensor::zeros({3, 4}));
  CHECK_THROWS_WITH_AS(sum(x, 2), "sum: axis 2 is out of range for shape [3,4]", Error);
  CHECK_THROWS_WITH_AS(max(x, -3), "max: axis -3 is out of range for shape [3,4]", Error);
  CHECK_THROWS_WITH_AS(logsumexp(tape.input(Tensor::zeros({3, 0})), 1), "logsumexp: axis 1 of shape [3,0] is empty",
                       Error);
}
