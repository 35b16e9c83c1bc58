// Bernoulli(logits): P(x = 1) = sigmoid(logits).
#include "nn/distributions/bernoulli.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

Bernoulli::Bernoulli(Var logits) : logits_(logits) {}

Tensor Bernoulli::sample(Rng& rng) {
  Tensor draws(logits_.shape());
  const float* l = logits_.data();
  for (int64_t i = 0; i < draws.numel(); ++i) draws[i] = rng.uniform() < 1.0f / (1.0f + std::exp(-l[i])) ? 1.0f : 0.0f;
  return draws;
}

// log p(x) = x log sigmoid(l) + (1 - x) log sigmoid(-l) = -bce_with_logits(l, x)
Var Bernoulli::log_prob(Var x) {
  check_within("Bernoulli", "x", x, 0.0f, 1.0f);
  return neg(bce_with_logits(logits_, x));
}

// H = -p log p - (1 - p) log(1 - p) = bce_with_logits(l, sigmoid(l))
Var Bernoulli::entropy() { return bce_with_logits(logits_, sigmoid(logits_)); }
Var Bernoulli::mean() { return sigmoid(logits_); }
Var Bernoulli::variance() { return mul(sigmoid(logits_), sigmoid(neg(logits_))); }

}  // namespace aevb::nn
