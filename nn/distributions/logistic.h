// The logistic distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Logistic(loc, scale): cdf sigmoid((x - loc) / scale).
class Logistic : public LocationScale {
 public:
  Logistic(Var loc, Var scale);
  const char* family() const override { return "Logistic"; }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override { return 2.0; }
  double standard_variance() const override;
};

}  // namespace aevb::nn
