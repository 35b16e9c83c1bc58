// Vectorized math over float arrays: y[i] = f(x[i]) for the functions training spends
// its time in. Each runs on the active instruction set (kernels/isa.h) and above
// kThreadingThreshold elements splits the array across threads (each element is
// computed alone, so the split never changes a result).
//
// Every element is computed by the same SIMD code, the tail too (padded to one
// batch), so a value never depends on where it sits in the array. The results agree
// with the C library's to a few ulp (tests/autodiff/kernels/vector_math_test.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace aevb::kernels {

// One element of sigmoid and softplus, computed without overflow: the scalar reference
// of the SIMD formulas, and the form every scalar loop in aevb uses.
// e = e^-|v|;  sigmoid = 1 / (1 + e) for v >= 0, e / (1 + e) below
inline float stable_sigmoid(float v) {
  const float e = std::exp(-std::fabs(v));
  return v >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}
// log(1 + e^v) = max(v, 0) + log1p(e^-|v|): exact for large |v|; NaN stays NaN
inline float stable_softplus(float v) {
  return std::isnan(v) ? v : std::max(v, 0.0f) + std::log1p(std::exp(-std::fabs(v)));
}

void vector_exp(float* y, const float* x, int64_t count);
void vector_log(float* y, const float* x, int64_t count);
void vector_log1p(float* y, const float* x, int64_t count);
void vector_tanh(float* y, const float* x, int64_t count);
// stable_sigmoid and stable_softplus, above, over arrays
void vector_sigmoid(float* y, const float* x, int64_t count);
void vector_softplus(float* y, const float* x, int64_t count);

// The scalar reference loops the SIMD versions are tested against.
void reference_exp(float* y, const float* x, int64_t count);
void reference_log(float* y, const float* x, int64_t count);
void reference_log1p(float* y, const float* x, int64_t count);
void reference_tanh(float* y, const float* x, int64_t count);
void reference_sigmoid(float* y, const float* x, int64_t count);
void reference_softplus(float* y, const float* x, int64_t count);

// Elementwise kernels at or above this many elements split across threads. 64K
// elements of exp take about 35 microseconds on one AVX2 core (bench/README.md), the
// order of a fork-join (1-80 microseconds, kernels/gemm.h); smaller arrays stay put.
// Chosen by that estimate, not by a sweep of the threshold.
inline constexpr int64_t kElementwiseThreadingThreshold = int64_t{1} << 16;

}  // namespace aevb::kernels
