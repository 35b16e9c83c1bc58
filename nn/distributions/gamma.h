// The Gamma and chi-squared distributions, drawn by implicit reparameterization.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// A standard Gamma(concentration, 1) draw per element, differentiable in the
// concentration by implicit reparameterization (Figurnov, Mohamed & Mnih 2018): with F
// the cdf, F(g; a) = u held fixed gives dg/da = -(dF/da) / p(g; a).
Var standard_gamma_sample(Var concentration, Rng& rng);

// Gamma(concentration a, rate r): density r^a x^(a-1) e^(-r x) / Gamma(a) on x > 0.
// rsample is g / r with g = standard_gamma_sample(a).
class Gamma : public Distribution {
 public:
  Gamma(Var concentration, Var rate);
  const char* family() const override { return family_; }
  Shape batch_shape() const override { return concentration_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;   // a - log r + lgamma(a) + (1 - a) digamma(a)
  Var mean() override;      // a / r
  Var variance() override;  // a / r^2
  Var cdf(Var x) override;  // P(a, r x), the regularized incomplete gamma function
  Var concentration() const { return concentration_; }
  Var rate() const { return rate_; }

 protected:
  Gamma(const char* family, Var concentration, Var rate);

 private:
  const char* family_;
  Var concentration_, rate_;
};

// ChiSquared(k) = Gamma(k / 2, rate 1/2).
class ChiSquared : public Gamma {
 public:
  explicit ChiSquared(Var degrees_of_freedom);
};

}  // namespace aevb::nn
