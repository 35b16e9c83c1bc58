// Vectorized math over float arrays: y[i] = f(x[i]) for the functions training spends
// its time in. Each runs on the active instruction set (kernels/isa.h) and above
// kThreadingThreshold elements splits the array across threads (each element is
// computed alone, so the split never changes a result).
//
// Every element is computed by the same SIMD code, the tail too (padded to one
// batch), so a value never depends on where it sits in the array. The results agree
// with the C library's to a few ulp (tests/autodiff/kernels/vector_math_test.cpp).
// The activations (tanh, sigmoid, softplus, ...) over arrays are activation_forward,
// in kernels/activation.h, with the same properties.
#pragma once

#include <cstdint>

namespace aevb::kernels {

void vector_exp(float* y, const float* x, int64_t count);
void vector_log(float* y, const float* x, int64_t count);
void vector_log1p(float* y, const float* x, int64_t count);

// The scalar reference loops the SIMD versions are tested against.
void exp_reference(float* y, const float* x, int64_t count);
void log_reference(float* y, const float* x, int64_t count);
void log1p_reference(float* y, const float* x, int64_t count);

// Elementwise kernels at or above this many elements split across threads. 64K
// elements of exp take about 35 microseconds on one AVX2 core (bench/README.md), the
// order of a fork-join (1-80 microseconds, kernels/gemm.h); smaller arrays stay put.
// Chosen by that estimate, not by a sweep of the threshold.
inline constexpr int64_t kElementwiseThreadingThreshold = int64_t{1} << 16;

}  // namespace aevb::kernels
