// Tests for autodiff/kernels/gemm.cpp and gemm_blocked.h: the packed kernel of every
// instruction set this machine runs, against the scalar reference, at edge shapes, all
// four transpose combinations, alpha and beta, and with and without threads; and the
// fused linear layer's epilogue (bias and activation) and its backward.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/rng.h"
#include "tests/autodiff/kernels/kernel_test_helpers.h"

using namespace aevb::kernels;
using aevb::testing::KernelSettingsGuard;
using aevb::testing::random_values;

namespace {

struct Product {
  int64_t m, n, k;
  bool transpose_a, transpose_b;
};

// gemm against gemm_reference, element by element, within the rounding error bound of
// a k-term dot product: |error| <= k * eps * sum_p |a_ip b_pj| (plus beta's term).
void check_against_reference(const Product& p, float alpha, float beta, uint64_t seed) {
  const std::vector<float> a = random_values(p.m * p.k, seed), b = random_values(p.k * p.n, seed + 1);
  std::vector<float> c = random_values(p.m * p.n, seed + 2);
  std::vector<float> expected = c;
  gemm(c.data(), a.data(), b.data(), p.m, p.n, p.k, p.transpose_a, p.transpose_b, alpha, beta);
  gemm_reference(expected.data(), a.data(), b.data(), p.m, p.n, p.k, p.transpose_a, p.transpose_b, alpha, beta);

  std::vector<float> abs_a(a.size()), abs_b(b.size()), bound(c.size(), 0.0f);
  for (size_t i = 0; i < a.size(); ++i) abs_a[i] = std::fabs(a[i]);
  for (size_t i = 0; i < b.size(); ++i) abs_b[i] = std::fabs(b[i]);
  gemm_reference(bound.data(), abs_a.data(), abs_b.data(), p.m, p.n, p.k, p.transpose_a, p.transpose_b, 1.0f, 0.0f);
  const float eps = std::numeric_limits<float>::epsilon();
  int failures = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const float tolerance =
        2.0f * eps * (static_cast<float>(p.k) * std::fabs(alpha) * bound[i] + 2.0f + std::fabs(expected[i]));
    if (!(std::fabs(c[i] - expected[i]) <= tolerance) && failures++ < 3)
      FAIL_CHECK("element ", i, ": ", c[i], " against reference ", expected[i], " (tolerance ", tolerance, ")");
  }
  CHECK(failures == 0);
}

}  // namespace

TEST_CASE("gemm: every instruction set matches the reference at edge shapes and all transposes") {
  KernelSettingsGuard guard;
  set_thread_count(1);
  // Sizes around the tile (MR up to 12, NR up to 32) and block edges (KC, MC >= 64).
  const std::vector<int64_t> sizes = {1, 3, 7, 8, 12, 13, 17, 33};
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    uint64_t seed = 1;
    for (int transposes = 0; transposes < 4; ++transposes) {
      const bool ta = transposes & 1, tb = transposes & 2;
      for (int64_t m : sizes)
        for (int64_t n : sizes) {
          const Product p{m, n, (m * 7 + n * 3) % 19 + 1, ta, tb};
          CAPTURE(p.m);
          CAPTURE(p.n);
          CAPTURE(p.k);
          CAPTURE(ta);
          CAPTURE(tb);
          check_against_reference(p, 1.0f, 0.0f, seed++);
        }
      // Large and odd: several K slices, M blocks and N panels' edges.
      const Product large{263, 301, 517, ta, tb};
      check_against_reference(large, 0.75f, 1.0f, seed++);
      // The VAE's shapes.
      check_against_reference({128, 20, 400, ta, tb}, 1.0f, 1.0f, seed++);
      check_against_reference({128, 784, 400, ta, tb}, 1.0f, 0.0f, seed++);
    }
  }
}

TEST_CASE("gemm: beta = 0 ignores NaN in C; beta scales C; k = 0 leaves beta * C") {
  KernelSettingsGuard guard;
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    const std::vector<float> a = random_values(5 * 9, 3), b = random_values(9 * 37, 4);
    std::vector<float> c(5 * 37, std::numeric_limits<float>::quiet_NaN()), expected(5 * 37, 0.0f);
    gemm(c.data(), a.data(), b.data(), 5, 37, 9, false, false, 1.0f, 0.0f);
    gemm_reference(expected.data(), a.data(), b.data(), 5, 37, 9, false, false, 1.0f, 0.0f);
    for (size_t i = 0; i < c.size(); ++i) REQUIRE(std::fabs(c[i] - expected[i]) <= 1e-5f);

    check_against_reference({5, 37, 9, false, true}, -2.0f, 0.5f, 11);
    std::vector<float> scaled = {1.0f, -2.0f, 4.0f};
    gemm(scaled.data(), a.data(), b.data(), 1, 3, 0, false, false, 1.0f, 0.5f);
    CHECK(scaled == std::vector<float>{0.5f, -1.0f, 2.0f});
    gemm(scaled.data(), a.data(), b.data(), 1, 3, 0, false, false, 1.0f, 0.0f);
    CHECK(scaled == std::vector<float>{0.0f, 0.0f, 0.0f});
  }
}

TEST_CASE("gemm: bit-identical for 1, 2 and 3 threads on every instruction set") {
  KernelSettingsGuard guard;
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    for (int transposes = 0; transposes < 4; ++transposes) {
      const bool ta = transposes & 1, tb = transposes & 2;
      // Over the threading threshold, with edges in every dimension.
      const int64_t m = 131, n = 403, k = 397;
      REQUIRE(m * n * k >= kGemmThreadingThreshold);
      const std::vector<float> a = random_values(m * k, 20), b = random_values(k * n, 21);
      std::vector<std::vector<float>> results;
      for (int threads : {1, 2, 3}) {
        set_thread_count(threads);
        std::vector<float> c = random_values(m * n, 22);
        gemm(c.data(), a.data(), b.data(), m, n, k, ta, tb, 1.0f, 1.0f);
        results.push_back(c);
      }
      CHECK(results[0] == results[1]);
      CHECK(results[0] == results[2]);
    }
  }
}

TEST_CASE("isa: names parse; an unsupported or unknown set is refused with the allowed ones") {
  KernelSettingsGuard guard;
  const std::vector<Isa> isas = supported_isas();
  REQUIRE(!isas.empty());
  CHECK(isas.front() == Isa::scalar);
  for (Isa isa : isas) CHECK(parse_isa(isa_name(isa)) == isa);
  CHECK_THROWS_WITH_AS(parse_isa("avx1024"),
                       "unknown instruction set 'avx1024': expected scalar, sse2, avx2, avx512 or neon",
                       aevb::Error);
#if defined(__x86_64__)
  CHECK_THROWS_AS(set_isa(Isa::neon), aevb::Error);
  CHECK(std::find(isas.begin(), isas.end(), Isa::sse2) != isas.end());
#endif
}

TEST_CASE("kernels set flush-to-zero and denormals-are-zero on the threads they run on") {
  const std::vector<float> a = {1.0f}, b = {1.0f};
  std::vector<float> c = {0.0f};
  gemm(c.data(), a.data(), b.data(), 1, 1, 1, false, false, 1.0f, 0.0f);  // sets it on this thread
  volatile float smallest_normal = std::numeric_limits<float>::min();
  volatile float half = 0.5f;
#if defined(__x86_64__) || defined(__aarch64__)
  CHECK(smallest_normal * half == 0.0f);  // would be a subnormal without FTZ
#endif
}

TEST_CASE("linear_forward: the gemm's epilogue (bias and activation) matches the reference on every instruction set") {
  KernelSettingsGuard guard;
  set_thread_count(1);
  // Edge tiles, a narrow product (computed transposed), several KC slices (k = 784),
  // and the VAE's shapes.
  struct Shape3 {
    int64_t batch, inputs, outputs;
  };
  const Shape3 shapes[] = {{1, 1, 1},     {7, 5, 3},      {13, 33, 17}, {128, 400, 20},
                           {64, 784, 40}, {128, 20, 400}, {50, 784, 37}};
  const float eps = std::numeric_limits<float>::epsilon();
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    for (const Shape3& s : shapes)
      for (Activation activation : kAllActivations)
        for (bool with_bias : {true, false}) {
          CAPTURE(isa_name(isa));
          CAPTURE(activation_name(activation));
          CAPTURE(s.batch);
          CAPTURE(s.inputs);
          CAPTURE(s.outputs);
          CAPTURE(with_bias);
          const std::vector<float> x = random_values(s.batch * s.inputs, 40, -2.0f, 2.0f),
                                   w = random_values(s.inputs * s.outputs, 41), b = random_values(s.outputs, 42);
          const float* bias = with_bias ? b.data() : nullptr;
          std::vector<float> y(static_cast<size_t>(s.batch * s.outputs), std::numeric_limits<float>::quiet_NaN());
          std::vector<float> expected = y;
          linear_forward(y.data(), x.data(), w.data(), bias, s.batch, s.inputs, s.outputs, activation);
          linear_forward_reference(expected.data(), x.data(), w.data(), bias, s.batch, s.inputs, s.outputs, activation);
          // The product's rounding bound (see check_against_reference), through an
          // activation of slope at most 1, plus a few ulp of the activation itself.
          std::vector<float> abs_x(x.size()), abs_w(w.size()), bound(y.size());
          for (size_t i = 0; i < x.size(); ++i) abs_x[i] = std::fabs(x[i]);
          for (size_t i = 0; i < w.size(); ++i) abs_w[i] = std::fabs(w[i]);
          gemm_reference(bound.data(), abs_x.data(), abs_w.data(), s.batch, s.outputs, s.inputs, false, false, 1.0f,
                         0.0f);
          int failures = 0;
          for (size_t i = 0; i < y.size(); ++i) {
            const float tolerance =
                2.0f * eps * (static_cast<float>(s.inputs) * bound[i] + 2.0f) + 8.0f * eps * std::fabs(expected[i]);
            if (!(std::fabs(y[i] - expected[i]) <= tolerance) && failures++ < 3)
              FAIL_CHECK("element ", i, ": ", y[i], " against reference ", expected[i], " (tolerance ", tolerance, ")");
          }
          CHECK(failures == 0);
        }
  }
}

TEST_CASE("linear_forward: NaN passes every activation; the fused result is bit-identical on 1, 2 and 3 threads") {
  KernelSettingsGuard guard;
  const int64_t batch = 128, inputs = 784, outputs = 400;  // large enough to split
  const std::vector<float> w = random_values(inputs * outputs, 44), b = random_values(outputs, 45);
  std::vector<float> x = random_values(batch * inputs, 43);
  x[5 * inputs + 3] = std::numeric_limits<float>::quiet_NaN();  // row 5 becomes NaN
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    for (Activation activation : kAllActivations) {
      CAPTURE(isa_name(isa));
      CAPTURE(activation_name(activation));
      std::vector<std::vector<float>> results;
      for (int threads : {1, 2, 3}) {
        set_thread_count(threads);
        std::vector<float> y(static_cast<size_t>(batch * outputs));
        linear_forward(y.data(), x.data(), w.data(), b.data(), batch, inputs, outputs, activation);
        results.push_back(y);
      }
      CHECK(std::isnan(results[0][5 * outputs + 7]));
      CHECK_FALSE(std::isnan(results[0][4 * outputs + 7]));
      CHECK(std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(float)) == 0);
      CHECK(std::memcmp(results[0].data(), results[2].data(), results[0].size() * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("activation_backward: every instruction set against the reference at the edge sizes") {
  KernelSettingsGuard guard;
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    for (Activation activation : kAllActivations)
      for (int64_t n : aevb::testing::kEdgeSizes) {
        CAPTURE(isa_name(isa));
        CAPTURE(activation_name(activation));
        CAPTURE(n);
        // y as the forward would have written it, zeros included (dead ReLUs).
        std::vector<float> pre = random_values(n, 46, -4.0f, 4.0f), y(pre.size());
        if (n > 2) pre[1] = 0.0f;
        activation_forward_reference(y.data(), pre.data(), n, activation);
        const std::vector<float> dy = random_values(n, 47);
        std::vector<float> dpre(pre.size()), expected(pre.size());
        activation_backward(dpre.data(), dy.data(), y.data(), n, activation);
        activation_backward_reference(expected.data(), dy.data(), y.data(), n, activation);
        int64_t worst = 0;
        for (size_t i = 0; i < dpre.size(); ++i)
          worst = std::max(worst, aevb::testing::ulps_between(dpre[i], expected[i]));
        CHECK(worst <= 4);
      }
  }
}

TEST_CASE("gemm: the AVX2 and AVX-512 micro-kernels multiply and add in one rounding (an FMA)") {
  // With a = 1 + 2^-12: a * a rounds to 1 + 2^-11 (the 2^-24 is a tie, to even), so
  // a * a - a * a is -2^-24 when the second product is fused into the add and 0 when it
  // is rounded first. xsimd 8.1 has no fma for AVX-512F and falls back to a multiply
  // and an add; this caught it.
  KernelSettingsGuard guard;
  const float a = 1.0f + std::ldexp(1.0f, -12);
  const int64_t m = 16, n = 64, k = 2;
  std::vector<float> left(m * k), right(k * n);
  for (int64_t i = 0; i < m; ++i) left[i * k] = left[i * k + 1] = a;
  for (int64_t j = 0; j < n; ++j) right[j] = a, right[n + j] = -a;
  const float fused = std::fma(a, -a, a * a);
  REQUIRE(fused == -std::ldexp(1.0f, -24));
  for (Isa isa : supported_isas()) {
    if (isa != Isa::avx2 && isa != Isa::avx512) continue;
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    std::vector<float> c(m * n, 1.0f);
    gemm(c.data(), left.data(), right.data(), m, n, k, false, false, 1.0f, 0.0f);
    CHECK(std::count(c.begin(), c.end(), fused) == m * n);
  }
}
