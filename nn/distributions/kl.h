// KL divergences: the analytic pairs of kl.cpp and a Monte Carlo estimate.
// (nn/distributions/distributions.h lists every family.)
#pragma once

#include "nn/distributions/distribution.h"

namespace aevb::nn {

// KL(p || q), elementwise over the batch shape. Analytic for the pairs registered in
// kl.cpp; otherwise an error naming both families, unless monte_carlo_samples > 0 asks
// for the estimate mean_k [log p(z_k) - log q(z_k)], z_k = p.rsample(rng).
struct KlOptions {
  int monte_carlo_samples = 0;
  Rng* rng = nullptr;
};
// The pair is found by the distributions' dynamic types (through kl_view), never by
// their family names alone.
Var kl_divergence(Distribution& p, Distribution& q, KlOptions options = {});
bool has_analytic_kl(Distribution& p, Distribution& q);

}  // namespace aevb::nn
