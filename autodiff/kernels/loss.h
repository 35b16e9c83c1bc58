// Fused loss kernels: value and gradient each in one pass, stable by construction.
// A null gradient pointer means that input needs no gradient. The BCE kernels run on
// the active instruction set (kernels/isa.h); <name>_reference is the scalar twin.
#pragma once

#include <cstdint>

namespace aevb::kernels {

// y = max(l, 0) - l t + log1p(e^-|l|)   (never exponentiates a positive number)
void bce_with_logits_forward(float* y, const float* logits, const float* targets, int64_t count);
// dl += dy (sigmoid(l) - t);  dt += -dy l
void bce_with_logits_backward(float* dlogits, float* dtargets, const float* dy, const float* logits,
                              const float* targets, int64_t count);

void bce_with_logits_forward_reference(float* y, const float* logits, const float* targets, int64_t count);
void bce_with_logits_backward_reference(float* dlogits, float* dtargets, const float* dy, const float* logits,
                                        const float* targets, int64_t count);

// y = 0.5 (log 2 pi + v + (x - m)^2 e^-v), v the log-variance
void gaussian_nll_forward(float* y, const float* x, const float* mean, const float* log_variance, int64_t count);
// dx += dy (x - m) e^-v;  dm += -dy (x - m) e^-v;  dv += dy 0.5 (1 - (x - m)^2 e^-v)
void gaussian_nll_backward(float* dx, float* dmean, float* dlog_variance, const float* dy, const float* x,
                           const float* mean, const float* log_variance, int64_t count);

}  // namespace aevb::kernels
