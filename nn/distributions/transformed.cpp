// Distributions of transformed variables, by the change of variables.
#include <cmath>

#include "nn/distributions/transformed.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

AffineTransform::AffineTransform(float loc, float scale) : loc_(loc), scale_(scale) {
  check(scale > 0 && std::isfinite(scale) && std::isfinite(loc),
        "AffineTransform: scale must be positive and finite, got ", scale, " (loc ", loc, ")");
}

TransformedDistribution::TransformedDistribution(std::unique_ptr<Distribution> base,
                                                 std::vector<std::unique_ptr<Transform>> transforms)
    : base_(std::move(base)), transforms_(std::move(transforms)) {
  check(base_ != nullptr, "TransformedDistribution: no base distribution");
}

Var TransformedDistribution::rsample(Rng& rng) {
  Var value = base_->rsample(rng);
  for (const auto& transform : transforms_) value = transform->forward(value);
  return value;
}

Tensor TransformedDistribution::sample(Rng& rng) {
  NoGradGuard no_grad;
  return rsample(rng).value();
}

// log p(y) = log p_base(x_0) - sum_i log |dT_i/dx (x_{i-1})|, walking the transforms back from y
Var TransformedDistribution::log_prob(Var y) {
  Var value = y, correction;
  for (auto transform = transforms_.rbegin(); transform != transforms_.rend(); ++transform) {
    value = (*transform)->inverse(value);
    Var term = (*transform)->log_abs_det_jacobian(value);
    correction = correction.defined() ? add(correction, term) : term;
  }
  Var base_log_prob = base_->log_prob(value);
  return correction.defined() ? sub(base_log_prob, correction) : base_log_prob;
}

Var TransformedDistribution::cdf(Var y) {
  Var value = y;
  for (auto transform = transforms_.rbegin(); transform != transforms_.rend(); ++transform)
    value = (*transform)->inverse(value);
  return base_->cdf(value);
}

Var TransformedDistribution::icdf(Var u) {
  Var value = base_->icdf(u);
  for (const auto& transform : transforms_) value = transform->forward(value);
  return value;
}

}  // namespace aevb::nn
