// The log-normal distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nn/distributions/distribution.h"
#include "nn/distributions/normal.h"

namespace aevb::nn {

// LogNormal: exp of a Normal(loc, scale).
class LogNormal : public Distribution {
 public:
  LogNormal(Var loc, Var scale);
  const char* family() const override { return "LogNormal"; }
  Shape batch_shape() const override { return base_.batch_shape(); }
  Var rsample(Rng& rng) override { return exp(base_.rsample(rng)); }
  Var log_prob(Var x) override;  // base.log_prob(log x) - log x
  Var entropy() override;        // base entropy + loc
  Var mean() override;           // exp(loc + scale^2 / 2)
  Var variance() override;       // (exp(scale^2) - 1) exp(2 loc + scale^2)
  Var cdf(Var x) override;       // base.cdf(log x); 0 for x <= 0
  Var icdf(Var u) override { return exp(base_.icdf(u)); }
  Normal& base() { return base_; }

 private:
  Normal base_;
};

}  // namespace aevb::nn
