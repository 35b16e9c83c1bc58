// The Gumbel distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Gumbel(loc, scale), the distribution of maxima: cdf exp(-exp(-(x - loc) / scale)).
class Gumbel : public LocationScale {
 public:
  Gumbel(Var loc, Var scale);
  const char* family() const override { return "Gumbel"; }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_mean() const override;
  double standard_variance() const override;
};

}  // namespace aevb::nn
