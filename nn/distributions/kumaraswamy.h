// The Kumaraswamy distribution.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// Kumaraswamy(a, b) on (0, 1): cdf 1 - (1 - x^a)^b, a Beta-like family with a closed-form
// inverse cdf, z = (1 - (1 - u)^(1/b))^(1/a) (the stick-breaking VAE's posterior).
class Kumaraswamy : public Distribution {
 public:
  Kumaraswamy(Var a, Var b);
  const char* family() const override { return "Kumaraswamy"; }
  Shape batch_shape() const override { return a_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;   // (1 - 1/b) + (1 - 1/a) H_b - log(a b), H_b = digamma(b + 1) + gamma
  Var mean() override;      // b B(1 + 1/a, b)
  Var variance() override;  // b B(1 + 2/a, b) - mean^2
  Var cdf(Var x) override;
  Var icdf(Var u) override;
  Var a() const { return a_; }
  Var b() const { return b_; }

 private:
  Var moment(float order);  // E x^order = b B(1 + order/a, b)
  Var a_, b_;
};

}  // namespace aevb::nn
