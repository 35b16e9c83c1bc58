// The base of every family: Distribution, and LocationScale for z = loc + scale * eps.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/ops.h"

namespace aevb::nn {

class Distribution {
 public:
  virtual ~Distribution() = default;
  virtual const char* family() const = 0;
  virtual Shape batch_shape() const = 0;

  virtual Var rsample(Rng& rng);        // a differentiable draw
  virtual Tensor sample(Rng& rng);      // a draw without gradient
  virtual Var log_prob(Var x) = 0;      // elementwise log density (or mass)
  virtual Var entropy();
  virtual Var mean();
  virtual Var variance();
  virtual Var cdf(Var x);
  virtual Var icdf(Var u);
  // The distribution whose analytic KL this one has: itself, or, for a wrapper that only
  // changes how draws are made (InverseCdfSampled), the wrapped one.
  virtual Distribution& kl_view() { return *this; }

 protected:
  [[noreturn]] void undefined(const char* what) const;
};

// z = loc + scale * eps with eps drawn from the family's standard member.
class LocationScale : public Distribution {
 public:
  Shape batch_shape() const override { return loc_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;  // standard_log_density((x - loc) / scale) - log scale
  Var entropy() override;        // standard entropy + log scale
  Var mean() override;
  Var variance() override;
  Var cdf(Var x) override;   // standard_cdf((x - loc) / scale)
  Var icdf(Var u) override;  // loc + scale * standard_icdf(u)

  Var loc() const { return loc_; }
  Var scale() const { return scale_; }
  Var log_scale() const { return log_scale_; }

 protected:
  // log_scale may be given when the caller has it (a VAE's encoder outputs log-variance),
  // which avoids a log of an exp.
  LocationScale(const char* family, Var loc, Var scale, Var log_scale);
  virtual float standard_draw(Rng& rng) const = 0;
  virtual Var standard_log_density(Var z) const = 0;
  virtual Var standard_cdf(Var z) const = 0;
  virtual Var standard_icdf(Var u) const = 0;
  virtual double standard_entropy() const = 0;
  virtual double standard_mean() const { return 0.0; }
  virtual double standard_variance() const = 0;
  virtual bool has_mean() const { return true; }

  Var loc_, scale_, log_scale_;
};

}  // namespace aevb::nn
