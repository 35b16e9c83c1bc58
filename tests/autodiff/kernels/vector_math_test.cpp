// Tests for autodiff/kernels/vector_math.cpp: each vectorized function on every
// instruction set this machine runs, against its scalar reference, at sizes around
// the batch width, over wide ranges and at 0, +-inf and NaN; threads change nothing.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/kernels/activation.h"
#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/rng.h"
#include "autodiff/kernels/vector_math.h"
#include "tests/autodiff/kernels/kernel_test_helpers.h"

using namespace aevb::kernels;
using aevb::testing::KernelSettingsGuard;
using aevb::testing::ulps_between;

namespace {

using ArrayFunction = std::function<void(float*, const float*, int64_t)>;

struct MathFunction {
  std::string name;
  ArrayFunction simd, reference;
  float low, high;      // the range of random arguments
  int64_t max_ulps;     // agreement with the C library
};

// exp, log and log1p, then every activation's forward kernel (kernels/activation.h),
// each against its reference loop.
const std::vector<MathFunction>& math_functions() {
  static const std::vector<MathFunction> functions = [] {
    std::vector<MathFunction> all = {
        {"exp", vector_exp, exp_reference, -87.0f, 88.0f, 2},
        {"log", vector_log, log_reference, 1e-30f, 1e30f, 2},
        {"log1p", vector_log1p, log1p_reference, -0.999f, 1e6f, 2},
    };
    for (Activation a : kAllActivations)
      all.push_back({activation_name(a),
                     [a](float* y, const float* x, int64_t count) { activation_forward(y, x, count, a); },
                     [a](float* y, const float* x, int64_t count) { activation_forward_reference(y, x, count, a); },
                     -100.0f, 100.0f, 4});
    return all;
  }();
  return functions;
}

void check_agrees(const MathFunction& f, const std::vector<float>& x) {
  std::vector<float> y(x.size(), -1.0f), expected(x.size());
  f.simd(y.data(), x.data(), static_cast<int64_t>(x.size()));
  f.reference(expected.data(), x.data(), static_cast<int64_t>(x.size()));
  int64_t worst = 0;
  size_t worst_at = 0;
  for (size_t i = 0; i < x.size(); ++i)
    if (int64_t ulps = ulps_between(y[i], expected[i]); ulps > worst) worst = ulps, worst_at = i;
  INFO(f.name, " over ", x.size(), " values: worst ", worst, " ulps at x = ", (x.empty() ? 0.0f : x[worst_at]),
       " (", (y.empty() ? 0.0f : y[worst_at]), " against ", (expected.empty() ? 0.0f : expected[worst_at]), ")");
  CHECK(worst <= f.max_ulps);
}

}  // namespace

TEST_CASE("vector math: every instruction set agrees with the C library at sizes around the batch width") {
  KernelSettingsGuard guard;
  set_thread_count(1);
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    for (const MathFunction& f : math_functions())
      for (int64_t size : aevb::testing::kEdgeSizes) {
        aevb::Rng rng(static_cast<uint64_t>(size) + 7);
        std::vector<float> x(static_cast<size_t>(size));
        for (float& v : x) v = rng.uniform(f.low, f.high);
        check_agrees(f, x);
      }
  }
}

TEST_CASE("vector math: 0, +-inf, NaN, the overflow edges and values near 0") {
  KernelSettingsGuard guard;
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> special = {0.0f, -0.0f, inf, -inf, nan, 88.7f, 89.0f, -87.3f, -104.0f, -110.0f,
                                      1e-7f, -1e-7f, 1e-20f, 0.5f, -0.5f, 1.0f, -1.0f, 20.0f, -20.0f, 1e30f};
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    for (const MathFunction& f : math_functions()) {
      std::vector<float> x = special;
      if (f.name == "log") x = {0.0f, -0.0f, -1.0f, inf, -inf, nan, 1.0f, 1e-30f, 1e30f, 2.0f, 0.5f};
      if (f.name == "log1p") x = {0.0f, -0.0f, -1.0f, -2.0f, inf, -inf, nan, 1e-7f, -1e-7f, 1e30f, -0.5f};
      check_agrees(f, x);
    }
  }
}

TEST_CASE("vector math: a large array split across threads gives the single-thread values") {
  KernelSettingsGuard guard;
  const int64_t count = kElementwiseThreadingThreshold * 3 + 5;
  aevb::Rng rng(5);
  std::vector<float> x(static_cast<size_t>(count));
  for (float& v : x) v = rng.uniform(-10.0f, 10.0f);
  for (const MathFunction& f : math_functions()) {
    std::vector<float> one(x.size()), two(x.size());
    set_thread_count(1);
    f.simd(one.data(), x.data(), count);
    set_thread_count(2);
    f.simd(two.data(), x.data(), count);
    // Bitwise: log and log1p make NaNs here, which == would call different.
    CHECK_MESSAGE(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0, f.name);
  }
}
