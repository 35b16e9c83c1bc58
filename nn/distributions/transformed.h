// Transforms, and the distribution of a transformed draw (change of variables).
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// A monotone increasing, differentiable map y = T(x) for TransformedDistribution.
class Transform {
 public:
  virtual ~Transform() = default;
  virtual Var forward(Var x) const = 0;
  virtual Var inverse(Var y) const = 0;
  virtual Var log_abs_det_jacobian(Var x) const = 0;  // log |dT/dx| at x, elementwise
};
class ExpTransform : public Transform {  // y = e^x
 public:
  Var forward(Var x) const override { return exp(x); }
  Var inverse(Var y) const override { return log(y); }
  Var log_abs_det_jacobian(Var x) const override { return x; }
};
class SigmoidTransform : public Transform {  // y = 1 / (1 + e^-x), onto (0, 1)
 public:
  Var forward(Var x) const override { return sigmoid(x); }
  Var inverse(Var y) const override { return sub(log(y), log1p(neg(y))); }
  Var log_abs_det_jacobian(Var x) const override { return add(log_sigmoid(x), log_sigmoid(neg(x))); }
};
class AffineTransform : public Transform {  // y = loc + scale x, scale > 0
 public:
  AffineTransform(float loc, float scale);
  Var forward(Var x) const override { return add(mul(x, scale_), loc_); }
  Var inverse(Var y) const override { return mul(sub(y, loc_), 1.0f / scale_); }
  Var log_abs_det_jacobian(Var x) const override { return add(mul(x, 0.0f), std::log(scale_)); }

 private:
  float loc_, scale_;
};

// The distribution of y = T_k(...T_1(x)) for x from `base`: rsample pushes a base draw
// through the transforms (gradients follow), and by the change of variables
//   log p(y) = log p_base(x) - sum_i log |dT_i/dx_i|,  x = T^-1(y).
// cdf and icdf come from the base's (the transforms are increasing); moments are undefined.
class TransformedDistribution : public Distribution {
 public:
  TransformedDistribution(std::unique_ptr<Distribution> base, std::vector<std::unique_ptr<Transform>> transforms);
  const char* family() const override { return "Transformed"; }
  Shape batch_shape() const override { return base_->batch_shape(); }
  Var rsample(Rng& rng) override;
  Tensor sample(Rng& rng) override;
  Var log_prob(Var y) override;
  Var cdf(Var y) override;
  Var icdf(Var u) override;

 private:
  std::unique_ptr<Distribution> base_;
  std::vector<std::unique_ptr<Transform>> transforms_;
};

}  // namespace aevb::nn
