// The Beta distribution, drawn from two Gamma draws.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// g_a / (g_a + g_b), rounded once from double (a Beta draw from two Gamma draws).
Var beta_from_gammas(Var g_a, Var g_b);

// Beta(a, b) on (0, 1): density x^(a-1) (1 - x)^(b-1) / B(a, b); rsample is
// g_a / (g_a + g_b) with two implicitly reparameterized standard Gamma draws.
class Beta : public Distribution {
 public:
  Beta(Var a, Var b);
  const char* family() const override { return "Beta"; }
  Shape batch_shape() const override { return a_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;
  Var mean() override;      // a / (a + b)
  Var variance() override;  // a b / ((a + b)^2 (a + b + 1))
  Var cdf(Var x) override;  // I_x(a, b), the regularized incomplete beta function
  Var a() const { return a_; }
  Var b() const { return b_; }

 private:
  Var a_, b_;
};

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)
Var log_beta_function(Var a, Var b);

}  // namespace aevb::nn
