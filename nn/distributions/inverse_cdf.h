// Inverse-cdf sampling for any family with a differentiable icdf.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Gives rsample to any family with a differentiable icdf: z = icdf(u), u ~ U(0, 1) a
// noise leaf on `tape` (the tape of the family's parameters). Everything else is the
// wrapped family's.
class InverseCdfSampled : public Distribution {
 public:
  InverseCdfSampled(std::unique_ptr<Distribution> base, Tape& tape) : base_(std::move(base)), tape_(&tape) {}
  const char* family() const override { return base_->family(); }
  Shape batch_shape() const override { return base_->batch_shape(); }
  Var rsample(Rng& rng) override;
  Tensor sample(Rng& rng) override { return base_->sample(rng); }
  Var log_prob(Var x) override { return base_->log_prob(x); }
  Var entropy() override { return base_->entropy(); }
  Var mean() override { return base_->mean(); }
  Var variance() override { return base_->variance(); }
  Var cdf(Var x) override { return base_->cdf(x); }
  Var icdf(Var u) override { return base_->icdf(u); }
  Distribution& kl_view() override { return base_->kl_view(); }

 private:
  std::unique_ptr<Distribution> base_;
  Tape* tape_;
};

}  // namespace aevb::nn
