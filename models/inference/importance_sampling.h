// Importance-weighted bounds on log p(x) with the encoder's q as the proposal (Burda,
// Grosse & Salakhutdinov 2016): IWAE(K) = E[log (1/K) sum_k p(x, z_k) / q(z_k | x)],
// z_k ~ q. IWAE(1) is the ELBO; the bound rises with K to log p(x).
//
// For every image one pool of M = max K weights is drawn; IWAE(K) is the mean over the
// pool's M / K disjoint blocks of K (an unbiased estimate of the bound at that K), with
// the blocks' standard error, and for K = M (one block) the delta method's (which
// understates the error when a few weights dominate).
#pragma once

#include <vector>

#include "models/inference/target.h"
#include "models/vae.h"

namespace aevb::models::inference {

struct ImportanceBound {
  int64_t samples = 0;                        // K
  std::vector<double> value, standard_error;  // per image
  double seconds = 0;                         // its share of the pool's time (K / M of it)
};

std::vector<ImportanceBound> importance_weighted_bounds(Vae& vae, const Tensor& images,
                                                        const std::vector<int64_t>& samples, Rng& rng,
                                                        const ProgressFn& progress = {});

}  // namespace aevb::models::inference
