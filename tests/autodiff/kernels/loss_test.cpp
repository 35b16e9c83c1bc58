// Tests for autodiff/kernels/loss.cpp: the vectorized BCE-with-logits value and
// gradient of every instruction set against the scalar reference, at sizes around the
// batch width and at extreme logits. (ops/loss_test.cpp gradchecks the op.)
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/loss.h"
#include "tests/autodiff/kernels/kernel_test_helpers.h"

using namespace aevb::kernels;
using aevb::testing::KernelSettingsGuard;
using aevb::testing::random_values;
using aevb::testing::ulps_between;

namespace {

// Within a few ulps, or a tiny absolute error where the value cancels towards 0.
bool close(float value, float expected) {
  return ulps_between(value, expected) <= 4 || std::fabs(value - expected) <= 1e-6f;
}

void check_bce(const std::vector<float>& logits, const std::vector<float>& targets) {
  const auto count = static_cast<int64_t>(logits.size());
  const std::vector<float> dy = random_values(count, 9, 0.5f, 2.0f);
  std::vector<float> y(logits.size()), ref_y(logits.size());
  std::vector<float> dlogits = random_values(count, 7), ref_dlogits = dlogits;
  std::vector<float> dtargets = random_values(count, 8), ref_dtargets = dtargets;
  bce_with_logits_forward(y.data(), logits.data(), targets.data(), count);
  bce_with_logits_forward_reference(ref_y.data(), logits.data(), targets.data(), count);
  bce_with_logits_backward(dlogits.data(), dtargets.data(), dy.data(), logits.data(), targets.data(), count);
  bce_with_logits_backward_reference(ref_dlogits.data(), ref_dtargets.data(), dy.data(), logits.data(),
                                     targets.data(), count);
  int failures = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    if ((!close(y[i], ref_y[i]) || !close(dlogits[i], ref_dlogits[i]) || dtargets[i] != ref_dtargets[i]) &&
        failures++ < 3)
      FAIL_CHECK("logit ", logits[i], " target ", targets[i], ": value ", y[i], " against ", ref_y[i],
                 ", dlogit ", dlogits[i], " against ", ref_dlogits[i]);
  }
  CHECK(failures == 0);
}

}  // namespace

TEST_CASE("bce_with_logits: every instruction set agrees with the scalar reference") {
  KernelSettingsGuard guard;
  const float inf = std::numeric_limits<float>::infinity();
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    for (int64_t count : aevb::testing::kEdgeSizes) {
      CAPTURE(count);
      check_bce(random_values(count, 1, -30.0f, 30.0f), random_values(count, 2, 0.0f, 1.0f));
    }
    check_bce({0.0f, -0.0f, 100.0f, -100.0f, 1e-8f, 88.0f, -88.0f, inf, -inf, 17.0f, -17.0f},
              {0.0f, 1.0f, 0.0f, 1.0f, 0.5f, 1.0f, 0.0f, 1.0f, 0.0f, 0.3f, 0.7f});
  }
}

TEST_CASE("bce_with_logits: the same bits on 1, 2 and 3 threads") {
  KernelSettingsGuard guard;
  const int64_t count = 3 * (int64_t{1} << 16) + 11;
  const std::vector<float> logits = random_values(count, 5, -30.0f, 30.0f),
                           targets = random_values(count, 6, 0.0f, 1.0f), dy = random_values(count, 7);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    set_thread_count(threads);
    std::vector<float> y(static_cast<size_t>(count)), dlogits(static_cast<size_t>(count), 0.5f);
    bce_with_logits_forward(y.data(), logits.data(), targets.data(), count);
    bce_with_logits_backward(dlogits.data(), nullptr, dy.data(), logits.data(), targets.data(), count);
    y.insert(y.end(), dlogits.begin(), dlogits.end());
    results.push_back(y);
  }
  CHECK(std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(float)) == 0);
  CHECK(std::memcmp(results[0].data(), results[2].data(), results[0].size() * sizeof(float)) == 0);
}
