// Tests for autodiff/ops/binary.cpp: broadcasting values, gradients for every
// broadcast pattern, ties, edge inputs and the shape errors.
#include <doctest/doctest.h>

#include <cmath>

#include "autodiff/autodiff.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

namespace {

using BinaryOp = Var (*)(Var, Var);

struct BinaryCase {
  const char* name;
  BinaryOp op;
  float (*reference)(float, float);
  float b_low;  // div needs b away from 0: b is drawn from [b_low, 2]
};

std::vector<BinaryCase> binary_cases() {
  return {
      {"add", [](Var a, Var b) { return add(a, b); }, [](float u, float v) { return u + v; }, -2},
      {"sub", [](Var a, Var b) { return sub(a, b); }, [](float u, float v) { return u - v; }, -2},
      {"mul", [](Var a, Var b) { return mul(a, b); }, [](float u, float v) { return u * v; }, -2},
      {"div", [](Var a, Var b) { return div(a, b); }, [](float u, float v) { return u / v; }, 0.5f},
      {"maximum", [](Var a, Var b) { return maximum(a, b); }, [](float u, float v) { return std::max(u, v); }, -2},
      {"minimum", [](Var a, Var b) { return minimum(a, b); }, [](float u, float v) { return std::min(u, v); }, -2},
  };
}

// The broadcast patterns the VAE uses, and a rank-4 one.
struct ShapePair {
  const char* name;
  Shape a, b, result;
};
std::vector<ShapePair> shape_pairs() {
  return {
      {"[N,M] with [N,M]", {3, 4}, {3, 4}, {3, 4}},   {"[N,M] with [1,M]", {3, 4}, {1, 4}, {3, 4}},
      {"[N,M] with [N,1]", {3, 4}, {3, 1}, {3, 4}},   {"[N,M] with [M]", {3, 4}, {4}, {3, 4}},
      {"[N,M] with scalar", {3, 4}, {}, {3, 4}},      {"scalar with [N,M]", {}, {3, 4}, {3, 4}},
      {"[N,1] with [1,M]", {3, 1}, {1, 4}, {3, 4}},   {"rank 4", {2, 1, 3, 1}, {1, 2, 1, 2}, {2, 2, 3, 2}},
  };
}

// Reads element `index` of `shape` from a tensor of shape `from` broadcast to it.
float broadcast_read(const Tensor& from, const Shape& shape, int64_t index) {
  int64_t coordinate[4] = {0, 0, 0, 0};
  for (int axis = shape.rank() - 1; axis >= 0; --axis) {
    coordinate[axis] = index % shape[axis];
    index /= shape[axis];
  }
  int64_t flat = 0;
  const Shape& s = from.shape();
  for (int axis = 0; axis < s.rank(); ++axis) {
    int result_axis = axis + (shape.rank() - s.rank());
    flat = flat * s[axis] + (s[axis] == 1 ? 0 : coordinate[result_axis]);
  }
  return from[flat];
}

}  // namespace

TEST_CASE("binary ops: broadcast values match the reference") {
  for (const BinaryCase& c : binary_cases())
    for (const ShapePair& shapes : shape_pairs()) {
      SUBCASE((std::string(c.name) + " " + shapes.name).c_str()) {
        Tensor a = random_tensor(shapes.a, 3), b = random_tensor(shapes.b, 4, c.b_low, 2.0f);
        Tape tape;
        Var y = c.op(tape.input(a), tape.input(b));
        REQUIRE(y.shape() == shapes.result);
        for (int64_t i = 0; i < y.numel(); ++i)
          CHECK(same_value(y.data()[i],
                           c.reference(broadcast_read(a, shapes.result, i), broadcast_read(b, shapes.result, i))));
      }
    }
}

TEST_CASE("binary ops: gradients match finite differences for every broadcast pattern") {
  for (const BinaryCase& c : binary_cases())
    for (const ShapePair& shapes : shape_pairs()) {
      SUBCASE((std::string(c.name) + " " + shapes.name).c_str()) {
        BinaryOp op = c.op;
        Tensor a = random_tensor(shapes.a, 5, -2.0f, 2.0f), b = random_tensor(shapes.b, 6, c.b_low, 2.0f);
        if (std::string(c.name) == "maximum" || std::string(c.name) == "minimum") {
          // b alternates between -1 and +1 (a lone b is 0) and a lies in [-0.9, 0.9], 0.1 from
          // the kinks a == b, so each input wins somewhere and both gradients are exercised.
          a = random_tensor(shapes.a, 5, -0.9f, 0.9f, {0.0f});
          for (int64_t i = 0; i < b.numel(); ++i) b[i] = b.numel() == 1 ? 0.0f : (i % 2 == 0 ? -1.0f : 1.0f);
        }
        check_gradients([op](std::span<const Var> x) { return op(x[0], x[1]); }, {a, b});
      }
    }
}

TEST_CASE("pow: values and gradients, integer exponents on negative bases") {
  check_values(outputs_at([](Var x) { return pow(x, 3.0f); }, {-2, 0, 1.5f}), {-8, 0, 3.375f});
  check_values(outputs_at([](Var x) { return pow(x, 0.5f); }, {-1, 0, 4}), {kNaN, 0, 2});
  check_gradients([](std::span<const Var> x) { return pow(x[0], 3.0f); }, {random_tensor({5}, 7)});
  check_gradients([](std::span<const Var> x) { return pow(x[0], -1.5f); }, {random_tensor({5}, 8, 0.3f, 3.0f)});
}

TEST_CASE("maximum and minimum: a tie splits the gradient evenly; NaN propagates") {
  Parameter a("a", Tensor::from_values({3}, {1, 2, 3})), b("b", Tensor::from_values({3}, {1, 5, 0}));
  Tape tape;
  tape.backward(sum(maximum(tape.param(a), tape.param(b))));
  check_values({a.grad()[0], a.grad()[1], a.grad()[2]}, {0.5f, 0, 1});
  check_values({b.grad()[0], b.grad()[1], b.grad()[2]}, {0.5f, 1, 0});
  Tape tape2;
  Var y = maximum(tape2.input(Tensor::from_values({2}, {kNaN, 1})), tape2.input(Tensor::from_values({2}, {1, kNaN})));
  CHECK(std::isnan(y.data()[0]));
  CHECK(std::isnan(y.data()[1]));
  Var z = minimum(tape2.input(Tensor::from_values({2}, {kNaN, 1})), tape2.input(Tensor::from_values({2}, {1, kNaN})));
  CHECK(std::isnan(z.data()[0]));
  CHECK(std::isnan(z.data()[1]));
}

TEST_CASE("binary ops: edge inputs") {
  Tape tape;
  Var a = tape.input(Tensor::from_values({4}, {1, -1, 0, kInf}));
  Var b = tape.input(Tensor::from_values({4}, {0, 0, 0, kInf}));
  Var q = div(a, b);
  check_values({q.data(), q.data() + 4}, {kInf, -kInf, kNaN, kNaN});
  Var s = sub(a, b);
  check_values({s.data(), s.data() + 4}, {1, -1, 0, kNaN});
}

TEST_CASE("binary ops: shapes that do not broadcast are refused with both shapes") {
  Tape tape;
  Var a = tape.input(Tensor::zeros({64, 20})), b = tape.input(Tensor::zeros({64, 10}));
  CHECK_THROWS_WITH_AS(mul(a, b), "mul: shapes [64,20] and [64,10] do not broadcast", Error);
  CHECK_THROWS_WITH_AS(add(a, b), "add: shapes [64,20] and [64,10] do not broadcast", Error);
  CHECK_THROWS_WITH_AS(maximum(a, tape.input(Tensor::zeros({20, 1}))),
                       "maximum: shapes [64,20] and [20,1] do not broadcast", Error);
}
