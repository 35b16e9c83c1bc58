// The order of summation every sum kernel follows, the reference loops (reduce.cpp) and
// the SIMD ones (reduce_impl.h) alike: pairwise over halves that are multiples of
// kSumLanes, down to blocks of at most kSumBlock, each summed in kSumLanes interleaved
// lanes (element i into lane i mod kSumLanes), the lanes then added in a fixed tree.
// The rounding error grows with log n, not n, and the order depends only on n: never on
// the instruction set or the number of threads.
#pragma once

#include <cstdint>

namespace aevb::kernels {

inline constexpr int kSumLanes = 16;
inline constexpr int64_t kSumBlock = 256;

// Where a sum of n > kSumBlock terms splits.
inline int64_t pairwise_half(int64_t n) { return n / 2 / kSumLanes * kSumLanes; }

// ((l0 + l1) + (l2 + l3)) + ... : the 16 lanes in a balanced tree.
inline float add_lanes_in_order(const float* lanes) {
  float level[kSumLanes];
  for (int j = 0; j < kSumLanes; ++j) level[j] = lanes[j];
  for (int width = kSumLanes; width > 1; width /= 2)
    for (int j = 0; j < width / 2; ++j) level[j] = level[2 * j] + level[2 * j + 1];
  return level[0];
}

}  // namespace aevb::kernels
