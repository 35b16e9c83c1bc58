// Student's t distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// StudentT(df, loc, scale) with fixed degrees of freedom df: eps = n / sqrt(c / df), n normal
// and c chi-squared(df). The mean exists for df > 1, the variance for df > 2.
class StudentT : public LocationScale {
 public:
  StudentT(float degrees_of_freedom, Var loc, Var scale);
  const char* family() const override { return "StudentT"; }
  Var variance() override;

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return df_ / (df_ - 2.0); }
  bool has_mean() const override { return df_ > 1; }
  float df_;
};

}  // namespace aevb::nn
