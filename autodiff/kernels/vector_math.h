// Vectorized math over float arrays: y[i] = f(x[i]) for the functions training spends
// its time in. Each runs on the active instruction set (kernels/isa.h) and above
// kThreadingThreshold elements splits the array across threads (each element is
// computed alone, so the split never changes a result).
//
// Every element is computed by the same SIMD code, the tail too (padded to one
// batch), so a value never depends on where it sits in the array. The results agree
// with the C library's to a few ulp (tests/autodiff/kernels/vector_math_test.cpp).
#pragma once

#include <cstdint>

namespace aevb::kernels {

void vector_exp(float* y, const float* x, int64_t count);
void vector_log(float* y, const float* x, int64_t count);
void vector_log1p(float* y, const float* x, int64_t count);
void vector_tanh(float* y, const float* x, int64_t count);
// 1 / (1 + e^-x), computed without overflow
void vector_sigmoid(float* y, const float* x, int64_t count);
// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows, exact for large |x|
void vector_softplus(float* y, const float* x, int64_t count);

// The scalar reference loops the SIMD versions are tested against.
void reference_exp(float* y, const float* x, int64_t count);
void reference_log(float* y, const float* x, int64_t count);
void reference_log1p(float* y, const float* x, int64_t count);
void reference_tanh(float* y, const float* x, int64_t count);
void reference_sigmoid(float* y, const float* x, int64_t count);
void reference_softplus(float* y, const float* x, int64_t count);

// Elementwise kernels at or above this many elements split across threads: below it
// a fork-join (1-80 microseconds, kernels/gemm.h) costs more than the work.
inline constexpr int64_t kElementwiseThreadingThreshold = int64_t{1} << 16;

}  // namespace aevb::kernels
