// The Weibull distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Weibull(scale, concentration k): cdf 1 - exp(-(x / scale)^k) on x >= 0, drawn by its
// inverse cdf as z = scale * E^(1/k) with E = -log(1 - u) a standard exponential.
class Weibull : public Distribution {
 public:
  Weibull(Var scale, Var concentration);
  const char* family() const override { return "Weibull"; }
  Shape batch_shape() const override { return scale_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;   // gamma (1 - 1/k) + log(scale / k) + 1
  Var mean() override;      // scale Gamma(1 + 1/k)
  Var variance() override;  // scale^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2)
  Var cdf(Var x) override;
  Var icdf(Var u) override;

 private:
  Var scale_, concentration_;
};

}  // namespace aevb::nn
