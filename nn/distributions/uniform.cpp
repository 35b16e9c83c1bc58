// Uniform(low, high): density 1 / (high - low) on [low, high].
#include "nn/distributions/uniform.h"

#include <limits>

#include "nn/distributions/support.h"

namespace aevb::nn {

namespace {
// high - low, checked first so that the error names the parameters a user gave.
Var width(Var low, Var high) {
  check(low.shape() == high.shape(), "Uniform: low ", low.shape(), " and high ", high.shape(),
        " must have the same shape");
  for (int64_t i = 0; i < low.numel(); ++i)
    check(low.data()[i] < high.data()[i], "Uniform: low must be below high, got low ", low.data()[i], " and high ",
          high.data()[i], " at index ", i);
  return sub(high, low);
}
}  // namespace

Uniform::Uniform(Var low, Var high) : Uniform(low, high, width(low, high)) {}

Uniform::Uniform(Var low, Var high, Var width) : LocationScale("Uniform", low, width, log(width)), high_(high) {}

// log p(z) = 0 on [0, 1], -inf outside
Var Uniform::standard_log_density(Var z) const {
  return add(log_indicator_nonnegative(z), log_indicator_nonnegative(1.0f - z));
}

// log p(x) = -log(high - low) on [low, high], -inf outside (where no gradient reaches
// low or high)
Var Uniform::log_prob(Var x) {
  Var z;  // where x stands in [0, 1]: only tested, never differentiated (no 0 * inf at x = inf)
  {
    NoGradGuard no_grad;
    z = div(sub(x, loc_), scale_);
  }
  return restrict_to_support(neg(log_scale_), z, on_unit_interval, -std::numeric_limits<float>::infinity());
}

Var Uniform::standard_cdf(Var z) const { return clamp(z, 0.0f, 1.0f); }

}  // namespace aevb::nn
