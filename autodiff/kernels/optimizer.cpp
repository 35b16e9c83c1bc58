#include "autodiff/kernels/optimizer.h"

#include <cmath>

#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/parallel.h"

namespace aevb::kernels {

namespace {
// Adam's bias corrections are per step, not per element: computed once, in double.
void fold_adam_corrections(OptimizerStep& s, int64_t step) {
  const double t = static_cast<double>(step);
  const float first_correction = static_cast<float>(1.0 - std::pow(static_cast<double>(s.beta1), t));
  const float second_correction = static_cast<float>(1.0 - std::pow(static_cast<double>(s.beta2), t));
  s.step_size = s.learning_rate / first_correction;
  s.inverse_sqrt_second_correction = 1.0f / std::sqrt(second_correction);
}
}  // namespace

// The scalar set's entries: the reference loops with the tables' signature.
void sgd_step_reference(float* param, float* velocity, const float* grad, int64_t count, const OptimizerStep& s) {
  sgd_update_reference(param, velocity, grad, count, s.learning_rate, s.momentum, s.weight_decay, s.nesterov);
}
void adagrad_step_reference(float* param, float* sum_squares, const float* grad, int64_t count,
                            const OptimizerStep& s) {
  adagrad_update_reference(param, sum_squares, grad, count, s.learning_rate, s.weight_decay, s.epsilon);
}

void sgd_update(float* param, float* velocity, const float* grad, int64_t count, float learning_rate, float momentum,
                float weight_decay, bool nesterov) {
  flush_denormals_on_this_thread();
  const OptimizerStep s{.learning_rate = learning_rate, .momentum = momentum, .weight_decay = weight_decay,
                        .nesterov = nesterov};
  const auto sgd = active_kernels().sgd;
  for_each_chunk(count, [&](int64_t b, int64_t n) { sgd(param + b, velocity + b, grad + b, n, s); });
}

void adagrad_update(float* param, float* sum_squares, const float* grad, int64_t count, float learning_rate,
                    float weight_decay, float epsilon) {
  flush_denormals_on_this_thread();
  const OptimizerStep s{.learning_rate = learning_rate, .weight_decay = weight_decay, .epsilon = epsilon};
  const auto adagrad = active_kernels().adagrad;
  for_each_chunk(count, [&](int64_t b, int64_t n) { adagrad(param + b, sum_squares + b, grad + b, n, s); });
}

void adam_update(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
                 float learning_rate, float beta1, float beta2, float epsilon, float weight_decay,
                 bool decoupled_weight_decay, int64_t step) {
  flush_denormals_on_this_thread();
  OptimizerStep s{.learning_rate = learning_rate, .weight_decay = weight_decay, .epsilon = epsilon, .beta1 = beta1,
                  .beta2 = beta2, .decoupled_weight_decay = decoupled_weight_decay};
  fold_adam_corrections(s, step);
  const auto adam = active_kernels().adam;
  for_each_chunk(count,
                 [&](int64_t b, int64_t n) { adam(param + b, first_moment + b, second_moment + b, grad + b, n, s); });
}

// The scalar reference loops.

void sgd_update_reference(float* param, float* velocity, const float* grad, int64_t count, float learning_rate,
                          float momentum, float weight_decay, bool nesterov) {
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i] + weight_decay * param[i];
    velocity[i] = momentum * velocity[i] + g;
    param[i] -= learning_rate * (nesterov ? g + momentum * velocity[i] : velocity[i]);
  }
}

void adagrad_update_reference(float* param, float* sum_squares, const float* grad, int64_t count,
                              float learning_rate, float weight_decay, float epsilon) {
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i] + weight_decay * param[i];
    sum_squares[i] += g * g;
    param[i] -= learning_rate * g / (std::sqrt(sum_squares[i]) + epsilon);
  }
}

void adam_update_reference(float* param, float* first_moment, float* second_moment, const float* grad,
                           int64_t count, float learning_rate, float beta1, float beta2, float epsilon,
                           float weight_decay, bool decoupled_weight_decay, int64_t step) {
  OptimizerStep s{.learning_rate = learning_rate, .weight_decay = weight_decay, .epsilon = epsilon, .beta1 = beta1,
                  .beta2 = beta2, .decoupled_weight_decay = decoupled_weight_decay};
  fold_adam_corrections(s, step);
  adam_step_reference(param, first_moment, second_moment, grad, count, s);
}

void adam_step_reference(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
                         const OptimizerStep& s) {
  const float learning_rate = s.learning_rate, weight_decay = s.weight_decay, epsilon = s.epsilon;
  const float beta1 = s.beta1, beta2 = s.beta2;
  const bool decoupled_weight_decay = s.decoupled_weight_decay;
  const float step_size = s.step_size, inverse_sqrt_second_correction = s.inverse_sqrt_second_correction;
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
