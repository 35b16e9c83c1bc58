// Categorical(logits [N, C]): P(class c in row n) = softmax(logits[n])_c.
#include <algorithm>
#include <cmath>

#include "nn/distributions/categorical.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Categorical::Categorical(Var logits) : logits_(logits) {
  check(logits.shape().rank() == 2, "Categorical: logits ", logits.shape(), " must be [N, C]");
}

Tensor Categorical::sample(Rng& rng) {
  const int64_t rows = logits_.shape()[0], classes = logits_.shape()[1];
  Tensor one_hot({rows, classes});
  const float* l = logits_.data();
  for (int64_t n = 0; n < rows; ++n) {
    const float* row = l + n * classes;
    float largest = *std::max_element(row, row + classes);
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) total += std::exp(row[c] - largest);
    double target = rng.uniform() * total, running = 0;
    int64_t chosen = classes - 1;
    for (int64_t c = 0; c < classes; ++c) {
      running += std::exp(row[c] - largest);
      if (target < running) {
        chosen = c;
        break;
      }
    }
    one_hot[n * classes + chosen] = 1.0f;
  }
  return one_hot;
}

// log p = sum_c t_c (logits_c - logsumexp(logits))
Var Categorical::log_prob(Var one_hot) {
  check(one_hot.shape() == logits_.shape(), "Categorical: values ", one_hot.shape(),
        " must be one-hot rows like the logits ", logits_.shape());
  Var log_softmax = sub(logits_, logsumexp(logits_, 1, true));
  return sum(mul(one_hot, log_softmax), 1);
}

// H = -sum_c p_c log p_c
Var Categorical::entropy() {
  Var log_softmax = sub(logits_, logsumexp(logits_, 1, true));
  return neg(sum(mul(exp(log_softmax), log_softmax), 1));
}

}  // namespace aevb::nn
