// Elementwise kernel drivers: the loop lives here, the formula comes in as a lambda.
//
// These are the plain scalar reference loops. They know nothing of the tape: an op
// hands them raw pointers, a count and the formula of its value or derivative.
#pragma once

#include <cstdint>

namespace aevb::kernels {

// y[i] = f(x[i])
template <class F>
void map(float* y, const float* x, int64_t count, F f) {
  for (int64_t i = 0; i < count; ++i) y[i] = f(x[i]);
}

// dx[i] += f(dy[i], x[i], y[i]): the backward of a unary op, given its input and output.
template <class F>
void accumulate_unary(float* dx, const float* dy, const float* x, const float* y, int64_t count, F f) {
  for (int64_t i = 0; i < count; ++i) dx[i] += f(dy[i], x[i], y[i]);
}

// dx[i] += dy[i]
inline void accumulate(float* dx, const float* dy, int64_t count) {
  for (int64_t i = 0; i < count; ++i) dx[i] += dy[i];
}

}  // namespace aevb::kernels
