// The Laplace distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Laplace(loc, scale): density exp(-|x - loc| / scale) / (2 scale).
class Laplace : public LocationScale {
 public:
  Laplace(Var loc, Var scale);
  const char* family() const override { return "Laplace"; }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return 2.0; }
};

}  // namespace aevb::nn
