// Helpers for the kernel tests: random arrays, ulp distances, and a guard that restores
// the instruction set and thread count a test changes.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/rng.h"

namespace aevb::testing {

inline std::vector<float> random_values(int64_t count, uint64_t seed, float low = -1.0f, float high = 1.0f) {
  Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = rng.uniform(low, high);
  return values;
}

// Distance in units in the last place; floats of one sign map to ordered integers.
inline int64_t ulps_between(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
  if (a == b) return 0;  // +0 and -0 too
  auto ordered = [](float v) {
    const int32_t bits = std::bit_cast<int32_t>(v);
    return bits < 0 ? int64_t{INT32_MIN} - bits : int64_t{bits};
  };
  return std::llabs(ordered(a) - ordered(b));
}

struct KernelSettingsGuard {
  kernels::Isa isa = kernels::active_isa();
  int threads = kernels::thread_count();
  ~KernelSettingsGuard() {
    kernels::set_isa(isa);
    kernels::set_thread_count(threads);
  }
};

// The sizes SIMD kernels are tested at: 0, 1, around each batch width (4, 8, 16) and a
// large odd size.
inline const std::vector<int64_t> kEdgeSizes = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 100003};

}  // namespace aevb::testing
