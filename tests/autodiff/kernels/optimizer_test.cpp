// Tests for autodiff/kernels/optimizer.cpp: the vectorized updates of every instruction
// set are bit-identical to their scalar reference loops at sizes around the batch width,
// and when large arrays are split over threads.
// (nn/optimizer_test.cpp checks the arithmetic itself against values written out.)
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/optimizer.h"
#include "tests/autodiff/kernels/kernel_test_helpers.h"

using namespace aevb::kernels;
using aevb::testing::KernelSettingsGuard;
using aevb::testing::random_values;

namespace {

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;  // memcmp takes no null
}

// Three steps of `update` against `reference`, from the same random state.
template <class Update, class Reference>
void check_steps(int64_t count, Update update, Reference reference) {
  std::vector<float> param = random_values(count, 1), state_a = random_values(count, 2, 0.0f, 0.1f),
                     state_b = random_values(count, 3, 0.0f, 0.01f);
  std::vector<float> ref_param = param, ref_a = state_a, ref_b = state_b;
  for (int step = 1; step <= 3; ++step) {
    const std::vector<float> grad = random_values(count, 10 + static_cast<uint64_t>(step));
    update(param.data(), state_a.data(), state_b.data(), grad.data(), count, step);
    reference(ref_param.data(), ref_a.data(), ref_b.data(), grad.data(), count, step);
  }
  CHECK(bitwise_equal(param, ref_param));
  CHECK(bitwise_equal(state_a, ref_a));
  CHECK(bitwise_equal(state_b, ref_b));
}

}  // namespace

TEST_CASE("optimizer updates: every instruction set is bit-identical to the scalar reference") {
  KernelSettingsGuard guard;
  for (Isa isa : supported_isas()) {
    set_isa(isa);
    CAPTURE(std::string(isa_name(isa)));
    for (int64_t count : aevb::testing::kEdgeSizes) {
      CAPTURE(count);
      for (bool decoupled : {false, true})
        check_steps(
            count,
            [&](float* p, float* m, float* v, const float* g, int64_t n, int64_t t) {
              adam_update(p, m, v, g, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t);
            },
            [&](float* p, float* m, float* v, const float* g, int64_t n, int64_t t) {
              adam_update_reference(p, m, v, g, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t);
            });
      for (bool nesterov : {false, true})
        check_steps(
            count,
            [&](float* p, float* velocity, float*, const float* g, int64_t n, int64_t) {
              sgd_update(p, velocity, g, n, 0.1f, 0.9f, 0.001f, nesterov);
            },
            [&](float* p, float* velocity, float*, const float* g, int64_t n, int64_t) {
              sgd_update_reference(p, velocity, g, n, 0.1f, 0.9f, 0.001f, nesterov);
            });
      check_steps(
          count,
          [](float* p, float* sum, float*, const float* g, int64_t n, int64_t) {
            adagrad_update(p, sum, g, n, 0.1f, 0.001f, 1e-10f);
          },
          [](float* p, float* sum, float*, const float* g, int64_t n, int64_t) {
            adagrad_update_reference(p, sum, g, n, 0.1f, 0.001f, 1e-10f);
          });
    }
  }
}

TEST_CASE("optimizer updates: arrays split over 1, 2 and 3 threads stay bit-identical to the reference") {
  KernelSettingsGuard guard;
  const int64_t count = 5 * (int64_t{1} << 16) + 7;  // split into chunks, with a tail
  for (int threads : {1, 2, 3}) {
    set_thread_count(threads);
    CAPTURE(threads);
    check_steps(
        count,
        [](float* p, float* m, float* v, const float* g, int64_t n, int64_t t) {
          adam_update(p, m, v, g, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, false, t);
        },
        [](float* p, float* m, float* v, const float* g, int64_t n, int64_t t) {
          adam_update_reference(p, m, v, g, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, false, t);
        });
    check_steps(
        count,
        [](float* p, float* velocity, float*, const float* g, int64_t n, int64_t) {
          sgd_update(p, velocity, g, n, 0.1f, 0.9f, 0.0f, false);
        },
        [](float* p, float* velocity, float*, const float* g, int64_t n, int64_t) {
          sgd_update_reference(p, velocity, g, n, 0.1f, 0.9f, 0.0f, false);
        });
    check_steps(
        count,
        [](float* p, float* sum, float*, const float* g, int64_t n, int64_t) {
          adagrad_update(p, sum, g, n, 0.1f, 0.0f, 1e-10f);
        },
        [](float* p, float* sum, float*, const float* g, int64_t n, int64_t) {
          adagrad_update_reference(p, sum, g, n, 0.1f, 0.0f, 1e-10f);
        });
  }
}
