// Tests for autodiff/kernels/reduce.cpp beyond what the op tests cover: the accuracy
// of long sums, which a sequential float loop loses; the SIMD row kernels against their
// references on every instruction set; and the same bits on any thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/reduce.h"
#include "tests/autodiff/kernels/kernel_test_helpers.h"

TEST_CASE("sum_axis: a million terms summed pairwise stay within 1e-6 relative of the exact sum") {
  for (int64_t count : {int64_t{1}, int64_t{7}, int64_t{8}, int64_t{257}, int64_t{1000003}}) {
    const std::vector<float> x = aevb::testing::random_values(count, 3, 0.0f, 1.0f);
    double exact = 0;
    for (float v : x) exact += v;
    float sum = 0;
    aevb::kernels::sum_axis(&sum, x.data(), 1, count, 1);
    CAPTURE(count);
    CHECK(std::fabs(sum - exact) <= 1e-6 * exact + 1e-7);
  }
  // A sequential float loop is off by about 1e-4 here: the test can tell the two apart.
  const std::vector<float> x = aevb::testing::random_values(1000003, 3, 0.0f, 1.0f);
  double exact = 0;
  float sequential = 0;
  for (float v : x) exact += v, sequential += v;
  CHECK(std::fabs(sequential - exact) > 1e-6 * exact);
}

namespace {
using aevb::kernels::Isa;
using aevb::testing::kEdgeSizes;
using aevb::testing::random_values;
using aevb::testing::ulps_between;

// The edge sizes, and the sizes where the pairwise order splits (blocks of 256).
std::vector<int64_t> reduction_sizes() {
  std::vector<int64_t> sizes = kEdgeSizes;
  for (int64_t n : {255, 256, 257, 511, 513, 4099}) sizes.push_back(n);
  return sizes;
}
}  // namespace

TEST_CASE("sum, dot and squared norm: bit-identical to the reference on every instruction set and size") {
  aevb::testing::KernelSettingsGuard guard;
  for (Isa isa : aevb::kernels::supported_isas()) {
    aevb::kernels::set_isa(isa);
    const auto& table = aevb::kernels::active_kernels();
    for (int64_t n : reduction_sizes()) {
      const std::vector<float> a = random_values(n, 11, -3.0f, 3.0f), b = random_values(n, 12, -3.0f, 3.0f);
      CAPTURE(aevb::kernels::isa_name(isa));
      CAPTURE(n);
      CHECK(std::bit_cast<uint32_t>(table.sum(a.data(), n)) ==
            std::bit_cast<uint32_t>(aevb::kernels::sum_reference(a.data(), n)));
      CHECK(std::bit_cast<uint32_t>(aevb::kernels::dot(a.data(), b.data(), n)) ==
            std::bit_cast<uint32_t>(aevb::kernels::dot_reference(a.data(), b.data(), n)));
      CHECK(std::bit_cast<uint32_t>(aevb::kernels::squared_norm(a.data(), n)) ==
            std::bit_cast<uint32_t>(aevb::kernels::squared_norm_reference(a.data(), n)));
      // And the values are right: within 1e-6 relative of double sums.
      double exact_dot = 0, exact_norm = 0;
      for (size_t i = 0; i < a.size(); ++i) exact_dot += double{a[i]} * b[i], exact_norm += double{a[i]} * a[i];
      CHECK(std::fabs(aevb::kernels::dot(a.data(), b.data(), n) - exact_dot) <= 1e-6 * (exact_norm + 1));
      CHECK(std::fabs(aevb::kernels::squared_norm(a.data(), n) - exact_norm) <= 1e-6 * exact_norm + 1e-30);
    }
  }
  // A wrong reduction would not pass: one term dropped changes the sum.
  const std::vector<float> ones(1000, 1.0f);
  CHECK(aevb::kernels::squared_norm(ones.data(), 1000) == 1000.0f);
  CHECK(aevb::kernels::dot(ones.data(), ones.data(), 999) == 999.0f);
}

TEST_CASE("max, logsumexp and its backward along rows: every instruction set against the references") {
  aevb::testing::KernelSettingsGuard guard;
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  for (Isa isa : aevb::kernels::supported_isas()) {
    aevb::kernels::set_isa(isa);
    const auto& table = aevb::kernels::active_kernels();
    for (int64_t n : reduction_sizes()) {
      CAPTURE(aevb::kernels::isa_name(isa));
      CAPTURE(n);
      std::vector<float> x = random_values(n, 13, -20.0f, 20.0f);
      CHECK(table.max(x.data(), n) == aevb::kernels::max_reference(x.data(), n));
      if (n > 0) {
        // The maximum in the last (padded) batch, and a NaN anywhere, are found.
        x.back() = 25.0f;
        CHECK(table.max(x.data(), n) == 25.0f);
        x[static_cast<size_t>(n / 2)] = nan;
        CHECK(std::isnan(table.max(x.data(), n)));
        x[static_cast<size_t>(n / 2)] = 0.0f;
        const float m = table.max(x.data(), n);
        const float sum = table.sum_exp(x.data(), n, m), reference = aevb::kernels::sum_exp_reference(x.data(), n, m);
        CHECK(std::fabs(sum - reference) <= 1e-6f * reference);
        std::vector<float> dx(static_cast<size_t>(n), 0.5f), dx_reference = dx;
        table.accumulate_scaled_exp(dx.data(), x.data(), m, 0.25f, n);
        aevb::kernels::accumulate_scaled_exp_reference(dx_reference.data(), x.data(), m, 0.25f, n);
        int64_t worst = 0;
        for (size_t i = 0; i < dx.size(); ++i) worst = std::max(worst, ulps_between(dx[i], dx_reference[i]));
        CHECK(worst <= 4);
      } else {
        CHECK(table.max(x.data(), 0) == -inf);
        CHECK(table.sum_exp(x.data(), 0, 0.0f) == 0.0f);
      }
    }
  }
}

TEST_CASE("row reductions give the same bits on 1, 2 and 3 threads") {
  aevb::testing::KernelSettingsGuard guard;
  const int64_t rows = 300, columns = 1001;  // above the threading threshold
  const std::vector<float> x = random_values(rows * columns, 17, -5.0f, 5.0f);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    aevb::kernels::set_thread_count(threads);
    std::vector<float> sums(rows), maxima(rows), lse(rows), max(rows), sum_exp(rows), dx(x.size(), 0.0f),
        dy(rows, 1.0f);
    aevb::kernels::sum_axis(sums.data(), x.data(), rows, columns, 1);
    aevb::kernels::max_axis(maxima.data(), x.data(), rows, columns, 1);
    aevb::kernels::logsumexp_axis(lse.data(), max.data(), sum_exp.data(), x.data(), rows, columns, 1);
    aevb::kernels::accumulate_logsumexp_axis(dx.data(), dy.data(), x.data(), max.data(), sum_exp.data(), rows, columns,
                                             1);
    std::vector<float> all = sums;
    for (const auto* part : {&maxima, &lse, &dx}) all.insert(all.end(), part->begin(), part->end());
    results.push_back(all);
  }
  CHECK(std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(float)) == 0);
  CHECK(std::memcmp(results[0].data(), results[2].data(), results[0].size() * sizeof(float)) == 0);
  // The softmax rows sum to 1: the backward is right, not only repeatable.
  const double first_row = std::accumulate(results[0].begin() + 3 * rows, results[0].begin() + 3 * rows + columns, 0.0);
  CHECK(first_row == doctest::Approx(1.0).epsilon(1e-5));
}
