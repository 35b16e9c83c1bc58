// Optimizer updates, each one fused pass over a parameter: no tape, no temporaries.
// Conventions follow PyTorch's, so results can be compared with it step for step.
// Each runs on the active instruction set (kernels/isa.h) and is bit-identical to its
// scalar twin, <name>_reference, on every one: the formulas use no fused multiply-add.
// g below is the gradient, p the parameter, t the step count starting at 1.
#pragma once

#include <cstdint>

namespace aevb::kernels {

// g' = g + weight_decay p;  velocity = momentum velocity + g';
// p -= lr (nesterov ? g' + momentum velocity : velocity)
void sgd_update(float* param, float* velocity, const float* grad, int64_t count, float learning_rate, float momentum,
                float weight_decay, bool nesterov);

// g' = g + weight_decay p;  sum_squares += g'^2;  p -= lr g' / (sqrt(sum_squares) + epsilon)
void adagrad_update(float* param, float* sum_squares, const float* grad, int64_t count, float learning_rate,
                    float weight_decay, float epsilon);

// Adam (Kingma & Ba), with L2 weight decay added to g, or, when decoupled (AdamW,
// Loshchilov & Hutter), p -= lr weight_decay p before the step:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)
void adam_update(float* param, float* first_moment, float* second_moment, const float* grad, int64_t count,
                 float learning_rate, float beta1, float beta2, float epsilon, float weight_decay,
                 bool decoupled_weight_decay, int64_t step);

void sgd_update_reference(float* param, float* velocity, const float* grad, int64_t count, float learning_rate,
                          float momentum, float weight_decay, bool nesterov);
void adagrad_update_reference(float* param, float* sum_squares, const float* grad, int64_t count,
                              float learning_rate, float weight_decay, float epsilon);
void adam_update_reference(float* param, float* first_moment, float* second_moment, const float* grad,
                           int64_t count, float learning_rate, float beta1, float beta2, float epsilon,
                           float weight_decay, bool decoupled_weight_decay, int64_t step);

}  // namespace aevb::kernels
