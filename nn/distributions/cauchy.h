// The Cauchy distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Cauchy(loc, scale): no mean and no variance.
class Cauchy : public LocationScale {
 public:
  Cauchy(Var loc, Var scale);
  const char* family() const override { return "Cauchy"; }
  Var mean() override { undefined("the mean"); }
  Var variance() override { undefined("the variance"); }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return 0.0; }
};

}  // namespace aevb::nn
