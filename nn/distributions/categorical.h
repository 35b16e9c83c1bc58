// The categorical distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Categorical over the last axis of logits [N, C]; log_prob takes one-hot rows [N, C]
// (or any distributions over the classes, for a cross-entropy) and gives [N].
class Categorical : public Distribution {
 public:
  explicit Categorical(Var logits);
  const char* family() const override { return "Categorical"; }
  Shape batch_shape() const override { return Shape{logits_.shape()[0]}; }
  Tensor sample(Rng& rng) override;  // one-hot rows [N, C]
  Var log_prob(Var one_hot) override;
  Var entropy() override;
  Var logits() const { return logits_; }

 private:
  Var logits_;
};

}  // namespace aevb::nn
