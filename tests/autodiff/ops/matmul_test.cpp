// Tests for autodiff/ops/matmul.cpp: every transpose combination against a naive
// product, gradients for each, linear (plain and fused with each activation), and the
// shape errors.
#include <doctest/doctest.h>

#include "autodiff/autodiff.h"
#include "autodiff/kernels/gemm.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

namespace {
// Element (i,j) of op(x): x stored as given, read transposed when asked.
float element(const Tensor& x, bool transposed, int64_t i, int64_t j) {
  return transposed ? x.at({j, i}) : x.at({i, j});
}
}  // namespace

TEST_CASE("matmul: all four transpose combinations match the naive product") {
  const int64_t m = 5, n = 3, k = 4;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      CAPTURE(ta);
      CAPTURE(tb);
      Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, 30),
             b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, 31);
      Tape tape;
      Var c = matmul(tape.input(a), tape.input(b), {.transpose_a = ta, .transpose_b = tb});
      REQUIRE(c.shape() == Shape{m, n});
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double expected = 0;
          for (int64_t p = 0; p < k; ++p) expected += element(a, ta, i, p) * element(b, tb, p, j);
          CHECK(c.data()[i * n + j] == doctest::Approx(expected).epsilon(1e-5));
        }
      check_gradients(
          [ta, tb](std::span<const Var> x) { return matmul(x[0], x[1], {.transpose_a = ta, .transpose_b = tb}); },
          {a, b});
    }
}

TEST_CASE("matmul: the VAE's narrow shapes (a 20-wide latent)") {
  check_gradients([](std::span<const Var> x) { return matmul(x[0], x[1]); },
                  {random_tensor({6, 20}, 32), random_tensor({20, 9}, 33)});
}

TEST_CASE("linear: x W + b, value and gradients") {
  Tensor x = random_tensor({4, 3}, 34), w = random_tensor({3, 2}, 35), b = random_tensor({2}, 36);
  Tape tape;
  Var y = linear(tape.input(x), tape.input(w), tape.input(b));
  REQUIRE(y.shape() == Shape{4, 2});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 2; ++j) {
      double expected = b[j];
      for (int64_t p = 0; p < 3; ++p) expected += x.at({i, p}) * w.at({p, j});
      CHECK(y.data()[i * 2 + j] == doctest::Approx(expected).epsilon(1e-5));
    }
  check_gradients([](std::span<const Var> v) { return linear(v[0], v[1], v[2]); }, {x, w, b});
}

TEST_CASE("fused linear: f(x W + b) equals linear then the activation op, and its gradients check") {
  using kernels::Activation;
  Tensor x = random_tensor({5, 7}, 37), w = random_tensor({7, 3}, 38), b = random_tensor({3}, 39);
  for (Activation activation : kernels::kAllActivations) {
    CAPTURE(kernels::activation_name(activation));
    Tape tape;
    Var fused = linear(tape.input(x), tape.input(w), tape.input(b), activation);
    Var separate = activate(linear(tape.input(x), tape.input(w), tape.input(b)), activation);
    CHECK(std::string(tape.node(fused).op) == (activation == Activation::identity
                                    ? std::string("linear")
                                    : "linear+" + std::string(kernels::activation_name(activation))));
    for (int64_t i = 0; i < fused.numel(); ++i)
      CHECK(fused.data()[i] == doctest::Approx(separate.data()[i]).epsilon(1e-5));
    check_gradients([activation](std::span<const Var> v) { return linear(v[0], v[1], v[2], activation); }, {x, w, b});
  }
}

TEST_CASE("matmul and linear: mismatched shapes are refused with both shapes") {
  Tape tape;
  Var a = tape.input(Tensor::zeros({128, 400})), b = tape.input(Tensor::zeros({20, 400}));
  CHECK_THROWS_WITH_AS(matmul(a, b), "matmul: shapes [128,400] and [20,400] do not chain: inner sizes 400 and 20",
                       Error);
  CHECK_NOTHROW(matmul(a, b, {.transpose_b = true}));
  CHECK_THROWS_WITH_AS(matmul(a, tape.input(Tensor::zeros({400}))),
                       "matmul: shapes [128,400] and [400] must both be matrices (rank 2)", Error);
  CHECK_THROWS_WITH_AS(linear(a, tape.input(Tensor::zeros({400, 20})), tape.input(Tensor::zeros({10}))),
                       "linear: shapes x [128,400], weight [400,20], bias [10] do not fit x[N,I] weight[I,O] bias[O]",
                       Error);
}

TEST_CASE("gemm gives bit-identical results at any thread count") {
  // Large enough to be split across threads: 128 x 784 x 400, as in the VAE's first layer.
  Tensor a = random_tensor({128, 784}, 90), b = random_tensor({784, 400}, 91);
  auto product = [&](int threads) {
    kernels::set_thread_count(threads);
    Tape tape;
    return matmul(tape.input(a), tape.input(b)).value();
  };
  const int all = kernels::thread_count();
  Tensor one = product(1), two = product(2);
  kernels::set_thread_count(all);
  for (int64_t i = 0; i < one.numel(); ++i) REQUIRE(one[i] == two[i]);
}
