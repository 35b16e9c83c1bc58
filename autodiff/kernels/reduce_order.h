// The order of summation every sum kernel follows, the reference loops (reduce.cpp) and
// the SIMD ones (reduce_impl.h) alike: pairwise over halves that are multiples of
// kSumLanes, down to blocks of at most kSumBlock, each summed in kSumLanes interleaved
// lanes (element i into lane i mod kSumLanes), the lanes then added in a fixed tree that
// folds halves: lane j + lane j + 8, then j + 4, j + 2, j + 1 (the first folds are whole
// SIMD batches added together). The rounding error grows with log n, not n, and the
// order depends only on n: never on the instruction set or the number of threads.
#pragma once

#include <cstdint>

namespace aevb::kernels {

inline constexpr int kSumLanes = 16;
inline constexpr int64_t kSumBlock = 256;

// Where a sum of n > kSumBlock terms splits.
inline int64_t pairwise_half(int64_t n) { return n / 2 / kSumLanes * kSumLanes; }

// The last folds of the tree, from `width` lanes (16, or fewer once SIMD has folded the
// rest) down to one: level[j] += level[j + width / 2].
inline float add_lanes_in_order(const float* lanes, int width = kSumLanes) {
  float level[kSumLanes];
  for (int j = 0; j < width; ++j) level[j] = lanes[j];
#pragma GCC unroll 4
  for (; width > 1; width /= 2)
#pragma GCC unroll 8
    for (int j = 0; j < width / 2; ++j) level[j] = level[j] + level[j + width / 2];
  return level[0];
}

}  // namespace aevb::kernels
