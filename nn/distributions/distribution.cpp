// The Distribution interface's defaults, and the location-scale machinery.
#include <cmath>

#include "autodiff/error.h"
#include "nn/distributions/distribution.h"
#include "nn/distributions/support.h"

namespace aevb::nn {

void Distribution::undefined(const char* what) const { fail(family(), ": ", what, " is not defined for this family"); }
Var Distribution::rsample(Rng&) { undefined("rsample (a reparameterized draw)"); }
Var Distribution::entropy() { undefined("the entropy"); }
Var Distribution::mean() { undefined("the mean"); }
Var Distribution::variance() { undefined("the variance"); }
Var Distribution::cdf(Var) { undefined("a closed-form cdf"); }
Var Distribution::icdf(Var) { undefined("a closed-form inverse cdf"); }

Tensor Distribution::sample(Rng& rng) {
  NoGradGuard no_grad;
  return rsample(rng).value();
}

LocationScale::LocationScale(const char* family, Var loc, Var scale, Var log_scale)
    : loc_(loc), scale_(scale), log_scale_(log_scale) {
  check(loc.shape() == scale.shape(), family, ": loc ", loc.shape(), " and scale ", scale.shape(),
        " must have the same shape");
  check_positive(family, "scale", scale);
}

// z = loc + scale * eps: eps is a noise leaf, so gradients reach loc and scale only.
Var LocationScale::rsample(Rng& rng) {
  Tape& tape = loc_.tape();
  Var eps = tape.noise(loc_.shape());
  float* draws = tape.value_buffer(eps);
  for (int64_t i = 0; i < eps.numel(); ++i) draws[i] = standard_draw(rng);
  return add(loc_, mul(scale_, eps));
}

Var LocationScale::log_prob(Var x) { return sub(standard_log_density(div(sub(x, loc_), scale_)), log_scale_); }
Var LocationScale::entropy() { return add(log_scale_, static_cast<float>(standard_entropy())); }
Var LocationScale::cdf(Var x) { return standard_cdf(div(sub(x, loc_), scale_)); }
Var LocationScale::icdf(Var u) { return add(loc_, mul(scale_, standard_icdf(u))); }

Var LocationScale::mean() {
  if (!has_mean()) undefined("the mean");
  return add(loc_, mul(scale_, static_cast<float>(standard_mean())));
}

Var LocationScale::variance() { return mul(square(scale_), static_cast<float>(standard_variance())); }

}  // namespace aevb::nn
