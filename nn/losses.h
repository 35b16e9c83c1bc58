// Losses built from autodiff ops (their gradients come from the ops they are made of).
#pragma once

#include <span>

#include "autodiff/ops.h"

namespace aevb::nn {

// Mean over the batch of -sum_c t[n,c] log softmax(logits)[n,c], for logits [N,C] and
// target distributions t [N,C] (one-hot rows for class labels). Stable: log softmax is
// computed as logits - logsumexp(logits).
Var cross_entropy_with_logits(Var logits, Var targets);

// Fraction of rows whose largest logit is at the label's column.
double accuracy(Var logits, std::span<const int> labels);

}  // namespace aevb::nn
