// The Bernoulli observation model.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Bernoulli(logits), for binary observations. log_prob also accepts x in [0, 1], where
// it is the cross-entropy used as a VAE's decoder likelihood on grey pixels.
class Bernoulli : public Distribution {
 public:
  explicit Bernoulli(Var logits);
  const char* family() const override { return "Bernoulli"; }
  Shape batch_shape() const override { return logits_.shape(); }
  Tensor sample(Rng& rng) override;
  Var log_prob(Var x) override;  // -bce_with_logits(logits, x)
  Var entropy() override;
  Var mean() override;      // sigmoid(logits)
  Var variance() override;  // p (1 - p)
  Var logits() const { return logits_; }

 private:
  Var logits_;
};

}  // namespace aevb::nn
