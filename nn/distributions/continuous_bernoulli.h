// The continuous Bernoulli observation model.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// The continuous Bernoulli (Loaiza-Ganem & Cunningham 2019): a density on [0, 1],
// p(x) = C(l) l^x (1 - l)^(1 - x), the proper likelihood for grey pixels. With logits
// eta: log C = log(eta / tanh(eta / 2)), computed by a series near eta = 0.
class ContinuousBernoulli : public Distribution {
 public:
  explicit ContinuousBernoulli(Var logits);
  const char* family() const override { return "ContinuousBernoulli"; }
  Shape batch_shape() const override { return logits_.shape(); }
  Tensor sample(Rng& rng) override;  // by the inverse cdf
  Var rsample(Rng& rng) override;    // icdf(u), u a noise leaf
  Var log_prob(Var x) override;
  Var mean() override;      // 1 / (1 - e^-eta) - 1 / eta, 1/2 at eta = 0
  Var variance() override;  // 1/eta^2 - 1 / (4 sinh^2(eta/2)), 1/12 at eta = 0
  Var entropy() override;   // -log C(eta) - eta E x + softplus(eta)
  Var cdf(Var x) override;  // expm1(eta x) / expm1(eta), x at eta = 0
  Var icdf(Var u) override; // log1p(u expm1(eta)) / eta
  Var logits() const { return logits_; }

 private:
  Var logits_;
};
// log C(eta), the continuous Bernoulli's log-normalizer, as an op (derivative 1/eta - 1/sinh eta).
Var continuous_bernoulli_log_normalizer(Var logits);

}  // namespace aevb::nn
