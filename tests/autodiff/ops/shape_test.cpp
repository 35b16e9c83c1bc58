// Tests for autodiff/ops/shape.cpp.
#include <doctest/doctest.h>

#include "autodiff/autodiff.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

TEST_CASE("reshape and transpose: values and gradients") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6}));
  Var r = reshape(x, {3, 2});
  CHECK(r.shape() == Shape{3, 2});
  check_values({r.data(), r.data() + 6}, {1, 2, 3, 4, 5, 6});
  Var t = transpose(x);
  CHECK(t.shape() == Shape{3, 2});
  check_values({t.data(), t.data() + 6}, {1, 4, 2, 5, 3, 6});
  Tensor w = random_tensor({6}, 40);
  // Multiply by weights after the move so each element's gradient is distinct.
  check_gradients([&](std::span<const Var> v) { return mul(reshape(v[0], {6}), v[0].tape().input(w)); },
                  {random_tensor({2, 3}, 41)});
  check_gradients([](std::span<const Var> v) { return transpose(v[0]); }, {random_tensor({2, 5}, 42)});
}

TEST_CASE("concat: values along each axis and gradients to each part") {
  Tape tape;
  Var a = tape.input(Tensor::from_values({2, 2}, {1, 2, 3, 4})), b = tape.input(Tensor::from_values({2, 1}, {5, 6}));
  Var joined = concat(std::vector<Var>{a, b}, 1);
  CHECK(joined.shape() == Shape{2, 3});
  check_values({joined.data(), joined.data() + 6}, {1, 2, 5, 3, 4, 6});
  Var stacked = concat(std::vector<Var>{a, transpose(b)}, 0);
  check_values({stacked.data(), stacked.data() + 6}, {1, 2, 3, 4, 5, 6});
  check_gradients([](std::span<const Var> v) { return concat(std::vector<Var>{v[0], v[1], v[2]}, 1); },
                  {random_tensor({3, 2}, 43), random_tensor({3, 1}, 44), random_tensor({3, 4}, 45)});
  check_gradients([](std::span<const Var> v) { return concat(std::vector<Var>{v[0], v[1]}, 0); },
                  {random_tensor({1, 2, 3}, 46), random_tensor({2, 2, 3}, 47)});
  CHECK_THROWS_WITH_AS(concat(std::vector<Var>{a, b}, 0), "concat: shapes [2,2] and [2,1] differ outside axis 0",
                       Error);
  CHECK_THROWS_WITH_AS(concat(std::vector<Var>{}, 0), "concat: no inputs", Error);
}

TEST_CASE("slice: values and gradients; out-of-range is refused") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7}));
  Var s = slice(x, 1, 1, 2);
  CHECK(s.shape() == Shape{2, 2});
  check_values({s.data(), s.data() + 4}, {1, 2, 5, 6});
  check_gradients([](std::span<const Var> v) { return slice(v[0], 1, 1, 2); }, {random_tensor({3, 4, 2}, 48)});
  check_gradients([](std::span<const Var> v) { return slice(v[0], 0, 2, 1); }, {random_tensor({3, 4}, 49)});
  CHECK_THROWS_WITH_AS(slice(x, 1, 3, 2), "slice: range [3, 5) is outside axis 1 of shape [2,4]", Error);
}

TEST_CASE("broadcast_to: values and the summed gradient") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({1, 3}, {1, 2, 3}));
  Var y = broadcast_to(x, {2, 3});
  check_values({y.data(), y.data() + 6}, {1, 2, 3, 1, 2, 3});
  check_gradients([](std::span<const Var> v) { return broadcast_to(v[0], {4, 3}); }, {random_tensor({3}, 50)});
  check_gradients([](std::span<const Var> v) { return broadcast_to(v[0], {2, 3, 4}); }, {random_tensor({3, 1}, 51)});
  CHECK_THROWS_WITH_AS(broadcast_to(x, {2, 4}), "broadcast_to: shapes [1,3] and [2,4] do not broadcast", Error);
  CHECK_THROWS_WITH_AS(broadcast_to(tape.input(Tensor::zeros({2, 3})), {1, 3}),
                       "broadcast_to: shape [2,3] cannot be broadcast to [1,3]", Error);
}

TEST_CASE("reshape: a different count is refused with both shapes") {
  Tape tape;
  CHECK_THROWS_WITH_AS(reshape(tape.input(Tensor::zeros({2, 3})), {4, 2}),
                       "reshape: cannot reshape [2,3] (6 values) to [4,2] (8 values)", Error);
  CHECK_THROWS_WITH_AS(transpose(tape.input(Tensor::zeros({2, 3, 4}))),
                       "transpose: shape [2,3,4] is not a matrix (rank 2)", Error);
}
