// Reparameterization through the inverse cdf: z = F^-1(u; theta), u ~ U(0, 1).
#include "nn/distributions/inverse_cdf.h"

namespace aevb::nn {

// u is a noise leaf, so dz/dtheta comes from icdf's own derivative in its parameters.
Var InverseCdfSampled::rsample(Rng& rng) {
  Var u = tape_->noise(base_->batch_shape());
  float* draws = tape_->value_buffer(u);
  for (int64_t i = 0; i < u.numel(); ++i) draws[i] = rng.uniform();
  return base_->icdf(u);
}

}  // namespace aevb::nn
