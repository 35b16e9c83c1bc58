// The Concrete (Gumbel-softmax) relaxations of discrete draws: RelaxedOneHotCategorical
// and RelaxedBernoulli (Maddison, Mnih & Teh 2016; Jang, Gu & Poole 2016).
// (nn/distributions/distributions.h lists every family.)
//
// A categorical draw is the argmax of logits + Gumbel noise (the Gumbel-max trick); the
// relaxation replaces the argmax by a softmax at temperature T, a differentiable
// function of the logits. As T falls to 0 a relaxed draw tends to that one-hot draw, and
// its gradient grows noisier. The straight-through variant's draw is the one-hot argmax
// itself, exactly, while its gradient is the relaxed draw's (Bengio et al. 2013): a
// biased estimator, which is why it is a choice and not the default.
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

enum class RelaxedDraw { relaxed, straight_through };

// Over the last axis of logits [N, C]: draws are points of the simplex, rows [N, C].
class RelaxedOneHotCategorical : public Distribution {
 public:
  RelaxedOneHotCategorical(float temperature, Var logits, RelaxedDraw draw = RelaxedDraw::relaxed);
  const char* family() const override { return "RelaxedOneHotCategorical"; }
  Shape batch_shape() const override { return Shape{logits_.shape()[0]}; }
  Var rsample(Rng& rng) override;  // softmax((logits + g) / T), g ~ Gumbel(0, 1); or its one-hot argmax
  Var log_prob(Var x) override;    // the Concrete density at rows x [N, C] of the open simplex: [N]
  Var logits() const { return logits_; }
  float temperature() const { return temperature_; }

 private:
  float temperature_;
  Var logits_;
  RelaxedDraw draw_;
};

// Elementwise over logits of any shape: draws lie in (0, 1) (or {0, 1}, straight through).
class RelaxedBernoulli : public Distribution {
 public:
  RelaxedBernoulli(float temperature, Var logits, RelaxedDraw draw = RelaxedDraw::relaxed);
  const char* family() const override { return "RelaxedBernoulli"; }
  Shape batch_shape() const override { return logits_.shape(); }
  Var rsample(Rng& rng) override;  // sigmoid((logits + log u - log(1 - u)) / T), u ~ U(0, 1); or its rounding
  Var log_prob(Var x) override;    // the binary Concrete density at x in (0, 1)
  Var logits() const { return logits_; }
  float temperature() const { return temperature_; }

 private:
  float temperature_;
  Var logits_;
  RelaxedDraw draw_;
};

}  // namespace aevb::nn
