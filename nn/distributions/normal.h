// The normal distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// N(loc, scale^2). From a log-variance v: scale = exp(v / 2), and log_prob uses the
// stable Gaussian negative log-likelihood op.
class Normal : public LocationScale {
 public:
  Normal(Var loc, Var scale);
  static Normal from_log_variance(Var loc, Var log_variance);
  const char* family() const override { return "Normal"; }
  Var log_prob(Var x) override;
  Var log_variance() const { return log_variance_; }  // empty unless built from one

 private:
  Normal(Var loc, Var scale, Var log_scale, Var log_variance);
  float standard_draw(Rng& rng) const override { return rng.normal(); }
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return 1.0; }
  Var log_variance_;  // set when built from a log-variance
};

}  // namespace aevb::nn
