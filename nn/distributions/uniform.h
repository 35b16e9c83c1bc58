// The uniform distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Uniform(low, high): a location-scale family with loc = low, scale = high - low.
// log_prob is -inf outside [low, high].
class Uniform : public LocationScale {
 public:
  Uniform(Var low, Var high);
  const char* family() const override { return "Uniform"; }
  Var log_prob(Var x) override;  // -log(high - low) on [low, high], -inf outside
  Var low() const { return loc_; }
  Var high() const { return high_; }

 private:
  Uniform(Var low, Var high, Var width);
  float standard_draw(Rng& rng) const override { return rng.uniform(); }
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override { return u; }
  double standard_entropy() const override { return 0.0; }
  double standard_mean() const override { return 0.5; }
  double standard_variance() const override { return 1.0 / 12.0; }
  Var high_;
};

}  // namespace aevb::nn
