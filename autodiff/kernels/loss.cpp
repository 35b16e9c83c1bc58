#include "autodiff/kernels/loss.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autodiff/kernels/activation.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/parallel.h"
#include "autodiff/kernels/vector_math.h"

namespace aevb::kernels {
namespace {
const float kLogTwoPi = static_cast<float>(std::log(2.0 * std::numbers::pi));
}  // namespace

void bce_with_logits_forward(float* y, const float* logits, const float* targets, int64_t count) {
  flush_denormals_on_this_thread();
  const auto forward = active_kernels().bce_forward;
  for_each_chunk(count, [&](int64_t b, int64_t n) { forward(y + b, logits + b, targets + b, n); });
}

void bce_with_logits_backward(float* dlogits, float* dtargets, const float* dy, const float* logits,
                              const float* targets, int64_t count) {
  flush_denormals_on_this_thread();
  const auto backward = active_kernels().bce_backward_logits;
  if (dlogits)
    for_each_chunk(count, [&](int64_t b, int64_t n) { backward(dlogits + b, dy + b, logits + b, targets + b, n); });
  if (dtargets)
    for (int64_t i = 0; i < count; ++i) dtargets[i] += -dy[i] * logits[i];
}

void bce_with_logits_forward_reference(float* y, const float* logits, const float* targets, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float l = logits[i];
    y[i] = std::max(l, 0.0f) - l * targets[i] + std::log1p(std::exp(-std::fabs(l)));
  }
}

void bce_with_logits_backward_reference(float* dlogits, float* dtargets, const float* dy, const float* logits,
                                        const float* targets, int64_t count) {
  if (dlogits) bce_backward_logits_reference(dlogits, dy, logits, targets, count);
  if (dtargets)
    for (int64_t i = 0; i < count; ++i) dtargets[i] += -dy[i] * logits[i];
}

void bce_backward_logits_reference(float* dlogits, const float* dy, const float* logits, const float* targets,
                                   int64_t count) {
  for (int64_t i = 0; i < count; ++i) dlogits[i] += dy[i] * (Sigmoid::forward(logits[i]) - targets[i]);
}

void gaussian_nll_forward(float* y, const float* x, const float* mean, const float* log_variance, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float residual = x[i] - mean[i];
    y[i] = 0.5f * (kLogTwoPi + log_variance[i] + residual * residual * std::exp(-log_variance[i]));
  }
}

void gaussian_nll_backward(float* dx, float* dmean, float* dlog_variance, const float* dy, const float* x,
                           const float* mean, const float* log_variance, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float residual = x[i] - mean[i];
    float precision = std::exp(-log_variance[i]);
    float pull = dy[i] * residual * precision;
    if (dx) dx[i] += pull;
    if (dmean) dmean[i] -= pull;
    if (dlog_variance) dlog_variance[i] += dy[i] * 0.5f * (1.0f - residual * residual * precision);
  }
}

}  // namespace aevb::kernels
