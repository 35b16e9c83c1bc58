// The exponential distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Exponential(rate), drawn by inverting its cdf: z = -log(1 - u) / rate.
class Exponential : public Distribution {
 public:
  explicit Exponential(Var rate);
  const char* family() const override { return "Exponential"; }
  Shape batch_shape() const override { return rate_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;  // log rate - rate x for x >= 0, -inf below
  Var entropy() override;        // 1 - log rate
  Var mean() override;           // 1 / rate
  Var variance() override;       // 1 / rate^2
  Var cdf(Var x) override;       // 1 - exp(-rate x)
  Var icdf(Var u) override;      // -log(1 - u) / rate
  Var rate() const { return rate_; }

 private:
  Var rate_;
};

}  // namespace aevb::nn
