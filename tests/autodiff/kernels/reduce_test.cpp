// Tests for autodiff/kernels/reduce.cpp beyond what the op tests cover: the accuracy
// of long sums, which a sequential float loop loses.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

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
