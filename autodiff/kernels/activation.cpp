#include "autodiff/kernels/activation.h"

#include <cassert>

#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/parallel.h"

namespace aevb::kernels {

void activation_forward(float* y, const float* x, int64_t count, Activation activation) {
  assert(count >= 0 && activation_name(activation) != nullptr);
  const UnaryKernel forward = active_kernels().activation_forward[static_cast<std::size_t>(activation)];
  for_each_chunk(count, [&](int64_t b, int64_t n) { forward(y + b, x + b, n); });
}

void activation_forward_reference(float* y, const float* x, int64_t count, Activation activation) {
  with_activation(activation, [&]<class F>() { forward_reference<F>(y, x, count); });
}

void bias_activation_reference(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation) {
  with_activation(activation, [&]<class F>() {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < columns; ++j) {
        float& v = y[r * columns + j];
        v = F::forward(bias != nullptr ? v + bias[j] : v);
      }
  });
}

void activation_backward_reference(float* dpre, const float* dy, const float* y, int64_t count,
                                   Activation activation) {
  with_activation(activation, [&]<class F>() {
    for (int64_t i = 0; i < count; ++i) dpre[i] = F::derivative(dy[i], y[i]);
  });
}

void activation_backward(float* dpre, const float* dy, const float* y, int64_t count, Activation activation) {
  assert(count >= 0 && activation_name(activation) != nullptr);
  const auto backward = active_kernels().activation_backward;
  for_each_chunk(count, [&](int64_t b, int64_t n) { backward(dpre + b, dy + b, y + b, n, activation); });
}

}  // namespace aevb::kernels
