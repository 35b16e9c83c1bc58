// Reductions along one axis. A tensor reduced along an axis is viewed as
// [outer, count, inner]: `outer` is the product of the sizes before the axis,
// `inner` of those after it. Results are [outer, inner].
#pragma once

#include <cstdint>

namespace aevb::kernels {

// Sums follow one order (reduce_order.h): pairwise, with an error that grows with
// log n, and bit-identical on every instruction set and thread count. Rows
// (inner = 1) run on SIMD kernels and are split over threads when large; a single
// dot or norm runs on one thread.

// sum_i a[i] b[i] and sum_i x[i]^2 (each product rounded, then summed pairwise)
float dot(const float* a, const float* b, int64_t n);
float squared_norm(const float* x, int64_t n);

// y[o,i] = sum_k x[o,k,i]
void sum_axis(float* y, const float* x, int64_t outer, int64_t count, int64_t inner);
// y[o,i] = max_k x[o,k,i]; NaN if any is NaN; -inf for count = 0
void max_axis(float* y, const float* x, int64_t outer, int64_t count, int64_t inner);
// y[o,i] = log sum_k exp(x[o,k,i]), computed as m + log s with m the max and
// s = sum_k exp(x - m); m and s are saved for the backward (the softmax is exp(x - m) / s).
void logsumexp_axis(float* y, float* max, float* sum_exp, const float* x, int64_t outer, int64_t count,
                    int64_t inner);

}  // namespace aevb::kernels

namespace aevb::kernels {

// Backward pieces of the reductions, in the same [outer, count, inner] view.
// dx[o,k,i] += scale * dy[o,i]
void accumulate_along_axis(float* dx, const float* dy, float scale, int64_t outer, int64_t count, int64_t inner);
// dx[o,k*,i] += dy[o,i] at the first k* where x equals the maximum y (or is NaN when y is)
void accumulate_max_axis(float* dx, const float* dy, const float* x, const float* y, int64_t outer, int64_t count,
                         int64_t inner);
// dx[o,k,i] += dy[o,i] * exp(x[o,k,i] - max) / sum_exp (the softmax); nothing where every x is -inf,
// NaN where one is +inf or NaN
void accumulate_logsumexp_axis(float* dx, const float* dy, const float* x, const float* max, const float* sum_exp,
                               int64_t outer, int64_t count, int64_t inner);
// db[j] += sum_r dy[r,j]: the gradient of a bias added to every row
void accumulate_column_sums(float* db, const float* dy, int64_t rows, int64_t columns);

// The scalar references of the SIMD row kernels (the scalar instruction-set table, and
// the tests' yardstick).
float sum_reference(const float* x, int64_t n);
float dot_reference(const float* a, const float* b, int64_t n);
float squared_norm_reference(const float* x, int64_t n);
float sum_exp_reference(const float* x, int64_t n, float shift);  // sum_i e^(x[i] - shift)
float max_reference(const float* x, int64_t n);                   // NaN if any is NaN; -inf if n = 0
void accumulate_scaled_exp_reference(float* dx, const float* x, float shift, float scale, int64_t n);

}  // namespace aevb::kernels
