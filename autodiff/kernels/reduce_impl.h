// The reductions of kernels/reduce.h on xsimd batches (internal: included by the ISA
// translation units, each with its own flags).
//
// Sums (plain, dot, squared norm, exp-shifted) all follow one order, the one of the
// reference loops in reduce.cpp: pairwise over halves (multiples of 16) down to blocks
// of at most 256, each block summed in 16 interleaved lanes, element i into lane
// i mod 16, and the lanes added in a fixed tree. An instruction set of W lanes keeps
// 16 / W batch accumulators, so the order is the same for W = 4, 8 and 16 and the
// plain, dot and squared-norm sums are bit-identical to the reference on every
// instruction set; products are rounded before they are added (no fused multiply-add)
// for the same reason. The last partial batch of a block is padded with a term that
// adds exactly zero.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/reduce_order.h"
#include "autodiff/kernels/vector_math_impl.h"

namespace aevb::kernels {
namespace {  // internal linkage: each ISA translation unit has its own copy

// The sum of term(i) for i in [0, n), where term(i) gives the batch of terms
// i .. i + W - 1 and padded_term(i, valid) the same with lanes from `valid` on zero.
template <class Arch, class Term, class PaddedTerm>
float lane_block_sum(int64_t n, const Term& term, const PaddedTerm& padded_term, int64_t offset) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  constexpr int K = kSumLanes / W;  // accumulators: lanes 0..W-1, W..2W-1, ...
  static_assert(K == 1 || K == 2 || K == 4, "16 lanes in batches of 16, 8 or 4");
  // Named accumulators, not an array: GCC kept an array in memory, storing it every round.
  Batch acc0(0.0f), acc1(0.0f), acc2(0.0f), acc3(0.0f);
  int64_t i = 0;
  for (; i + kSumLanes <= n; i += kSumLanes) {
    acc0 = acc0 + term(offset + i);
    if constexpr (K > 1) acc1 = acc1 + term(offset + i + W);
    if constexpr (K > 2) {
      acc2 = acc2 + term(offset + i + 2 * W);
      acc3 = acc3 + term(offset + i + 3 * W);
    }
  }
  if (i < n) {  // the last round: batches whole, padded, or past the end (adding +0)
    auto last = [&](int64_t start) {
      const int64_t valid = n - start;
      return valid >= W ? term(offset + start) : valid > 0 ? padded_term(offset + start, valid) : Batch(0.0f);
    };
    acc0 = acc0 + last(i);
    if constexpr (K > 1) acc1 = acc1 + last(i + W);
    if constexpr (K > 2) {
      acc2 = acc2 + last(i + 2 * W);
      acc3 = acc3 + last(i + 3 * W);
    }
  }
  // The tree's first folds as whole batches: lane j + lane j + 8, then j + 4.
  if constexpr (K == 4) {
    acc0 = acc0 + acc2;
    acc1 = acc1 + acc3;
  }
  if constexpr (K > 1) acc0 = acc0 + acc1;
  alignas(64) float lanes[W];
  acc0.store_aligned(lanes);
  return add_lanes_in_order(lanes, W);
}

template <class Arch, class Term, class PaddedTerm>
float pairwise_lane_sum(int64_t n, const Term& term, const PaddedTerm& padded_term, int64_t offset = 0) {
  if (n > kSumBlock) {
    const int64_t half = pairwise_half(n);
    return pairwise_lane_sum<Arch>(half, term, padded_term, offset) +
           pairwise_lane_sum<Arch>(n - half, term, padded_term, offset + half);
  }
  return lane_block_sum<Arch>(n, term, padded_term, offset);
}

template <class Arch>
float simd_sum(const float* x, int64_t n) {
  using Batch = xsimd::batch<float, Arch>;
  return pairwise_lane_sum<Arch>(
      n, [x](int64_t i) { return Batch::load_unaligned(x + i); },
      [x](int64_t i, int64_t valid) { return load_padded<Batch>(x + i, valid, 0.0f); });
}

template <class Arch>
float simd_dot(const float* a, const float* b, int64_t n) {
  using Batch = xsimd::batch<float, Arch>;
  return pairwise_lane_sum<Arch>(
      n, [a, b](int64_t i) { return Batch::load_unaligned(a + i) * Batch::load_unaligned(b + i); },
      [a, b](int64_t i, int64_t valid) {
        return load_padded<Batch>(a + i, valid, 0.0f) * load_padded<Batch>(b + i, valid, 0.0f);
      });
}

template <class Arch>
float simd_squared_norm(const float* x, int64_t n) {
  using Batch = xsimd::batch<float, Arch>;
  return pairwise_lane_sum<Arch>(
      n,
      [x](int64_t i) {
        const Batch v = Batch::load_unaligned(x + i);
        return v * v;
      },
      [x](int64_t i, int64_t valid) {
        const Batch v = load_padded<Batch>(x + i, valid, 0.0f);
        return v * v;
      });
}

// sum_i e^(x[i] - shift): the sum of a logsumexp, with the vector exp of vector_math.
// Padding with -inf adds e^-inf = 0.
template <class Arch>
float simd_sum_exp(const float* x, int64_t n, float shift) {
  using Batch = xsimd::batch<float, Arch>;
  const ExpFormula exp;
  return pairwise_lane_sum<Arch>(
      n, [&](int64_t i) { return exp(Batch::load_unaligned(x + i) - Batch(shift)); },
      [&](int64_t i, int64_t valid) {
        return exp(load_padded<Batch>(x + i, valid, -std::numeric_limits<float>::infinity()) - Batch(shift));
      });
}

// The largest of x[0 .. n), NaN when any is NaN, -inf when n = 0. A maximum is exact, so
// the order does not matter; NaN is tracked apart because the max instructions return
// one operand, not NaN, when the other is NaN.
template <class Arch>
float simd_max(const float* x, int64_t n) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  const float lowest = -std::numeric_limits<float>::infinity();
  Batch best(lowest);
  auto any_nan = xsimd::isnan(Batch(0.0f));
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const Batch v = Batch::load_unaligned(x + i);
    any_nan = any_nan | xsimd::isnan(v);
    best = xsimd::max(best, v);
  }
  if (i < n) {
    const Batch v = load_padded<Batch>(x + i, n - i, lowest);
    any_nan = any_nan | xsimd::isnan(v);
    best = xsimd::max(best, v);
  }
  if (xsimd::any(any_nan)) return std::numeric_limits<float>::quiet_NaN();
  alignas(64) float lanes[W];
  best.store_aligned(lanes);
  float result = lowest;
  for (float lane : lanes) result = lane > result ? lane : result;
  return result;
}

// dx[i] += scale * e^(x[i] - shift): the softmax part of logsumexp's backward.
template <class Arch>
void simd_accumulate_scaled_exp(float* dx, const float* x, float shift, float scale, int64_t n) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  const ExpFormula exp;
  int64_t i = 0;
  for (; i + W <= n; i += W)
    (Batch::load_unaligned(dx + i) + Batch(scale) * exp(Batch::load_unaligned(x + i) - Batch(shift)))
        .store_unaligned(dx + i);
  if (i == n) return;
  // The tail through a padded batch, so every element is computed by the same code.
  alignas(64) float tail[W];
  (Batch(scale) * exp(load_padded<Batch>(x + i, n - i, 0.0f) - Batch(shift))).store_aligned(tail);
  for (int64_t j = i; j < n; ++j) dx[j] += tail[j - i];
}

}  // namespace
}  // namespace aevb::kernels
