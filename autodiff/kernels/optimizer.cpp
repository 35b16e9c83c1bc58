#include "autodiff/kernels/optimizer.h"

#include <cmath>

namespace aevb::kernels {

void sgd_update(float* param, float* velocity, const float* grad, int64_t count, float learning_rate, float momentum,
                float weight_decay, bool nesterov) {
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i] + weight_decay * param[i];
    velocity[i] = momentum * velocity[i] + g;
    param[i] -= learning_rate * (nesterov ? g + momentum * velocity[i] : velocity[i]);
  }
}

void adagrad_update(float* param, float* sum_squares, const float* grad, int64_t count, float learning_rate,
                    float weight_decay, float epsilon) {
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i] + weight_decay * param[i];
    sum_squares[i] += g * g;
    param[i] -= learning_rate * g / (std::sqrt(sum_squares[i]) + epsilon);
  }
}

void adam_update(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
                 float learning_rate, float beta1, float beta2, float epsilon, float weight_decay,
                 bool decoupled_weight_decay, int64_t step) {
  // The bias corrections are per step, not per element: computed once, in double.
  const float first_correction = static_cast<float>(1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(step)));
  const float second_correction = static_cast<float>(1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(step)));
  const float step_size = learning_rate / first_correction;
  const float inverse_sqrt_second_correction = 1.0f / std::sqrt(second_correction);
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i];
    if (decoupled_weight_decay)
      param[i] -= learning_rate * weight_decay * param[i];
    else
      g += weight_decay * param[i];
    first_moment[i] = beta1 * first_moment[i] + (1.0f - beta1) * g;
    second_moment[i] = beta2 * second_moment[i] + (1.0f - beta2) * g * g;
    float denominator = std::sqrt(second_moment[i]) * inverse_sqrt_second_correction + epsilon;
    param[i] -= step_size * first_moment[i] / denominator;
  }
}

}  // namespace aevb::kernels
