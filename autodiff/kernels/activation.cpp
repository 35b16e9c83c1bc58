#include "autodiff/kernels/activation.h"

#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/parallel.h"

namespace aevb::kernels {

const char* activation_name(Activation activation) {
  switch (activation) {
    case Activation::identity: return "identity";
    case Activation::relu: return "relu";
    case Activation::leaky_relu: return "leaky_relu";
    case Activation::elu: return "elu";
    case Activation::tanh: return "tanh";
    case Activation::sigmoid: return "sigmoid";
    case Activation::softplus: return "softplus";
  }
  return "?";
}

void bias_activation_reference(float* y, const float* bias, int64_t rows, int64_t columns, Activation activation) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < columns; ++j) {
      float& v = y[r * columns + j];
      v = activate_reference(bias != nullptr ? v + bias[j] : v, activation);
    }
}

void activation_backward_reference(float* dpre, const float* dy, const float* y, int64_t count,
                                   Activation activation) {
  for (int64_t i = 0; i < count; ++i) dpre[i] = activation_derivative_reference(dy[i], y[i], activation);
}

void activation_backward(float* dpre, const float* dy, const float* y, int64_t count, Activation activation) {
  const auto backward = active_kernels().activation_backward;
  for_each_chunk(count, [&](int64_t b, int64_t n) { backward(dpre + b, dy + b, y + b, n, activation); });
}

}  // namespace aevb::kernels
