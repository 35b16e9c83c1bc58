#include "nn/losses.h"

namespace aevb::nn {

Var cross_entropy_with_logits(Var logits, Var targets) {
  check(logits.shape().rank() == 2 && logits.shape() == targets.shape(), "cross_entropy_with_logits: logits ",
        logits.shape(), " and targets ", targets.shape(), " must both be [N,C]");
  // -sum_c t log softmax = sum_c t (logsumexp - logits) = logsumexp * sum_c t - sum_c t logits
  Var per_row = sub(mul(logsumexp(logits, 1), sum(targets, 1)), sum(mul(targets, logits), 1));
  return mean(per_row);
}

double accuracy(Var logits, std::span<const int> labels) {
  const Shape& shape = logits.shape();
  check(shape.rank() == 2 && static_cast<int64_t>(labels.size()) == shape[0], "accuracy: logits ", shape, " and ",
        labels.size(), " labels do not match");
  const float* values = logits.data();
  int64_t correct = 0;
  for (int64_t n = 0; n < shape[0]; ++n) {
    int64_t best = 0;
    for (int64_t c = 1; c < shape[1]; ++c)
      if (values[n * shape[1] + c] > values[n * shape[1] + best]) best = c;
    correct += best == labels[static_cast<size_t>(n)];
  }
  return shape[0] == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(shape[0]);
}

}  // namespace aevb::nn
