// The marginal-likelihood estimator of the paper's Appendix D (Kingma & Welling 2013),
// which Figure 3 uses, for a low-dimensional latent (the paper: up to 5).
//
// 1. Draw L codes from the posterior p(z | x) by HMC; fit a density q(z) to them (here
//    a Gaussian with their mean and covariance).
// 2. Draw L new codes from the posterior, and estimate
//      1 / p(x) = E_{p(z|x)}[q(z) / (p(x | z) p(z))]  ~  (1/L) sum_l q(z_l) / p(x, z_l),
//    which holds because int q(z) dz = 1: the reverse (harmonic-mean-like) importance
//    sampling estimator. Its variance is finite only when q's tails are lighter than the
//    posterior's, which a Gaussian fitted to the draws roughly gives.
// Its error is reported by the delta method over the L terms, with the same caveat as
// every importance-sampled estimate (statistics.h).
#pragma once

#include <vector>

#include "models/inference/hmc.h"
#include "models/inference/target.h"

namespace aevb::models::inference {

struct MarginalLikelihoodOptions {
  HmcOptions hmc = {.warmup = 300, .samples = 500};  // per chain, each of the two draws
  int64_t chains = 4;                                // per image
};

struct MarginalLikelihoodEstimate {
  std::vector<double> log_marginal, standard_error;  // per image
  double seconds = 0;
};

// Starting from `initial` [N chains, Z] (the encoder's means repeated, say).
MarginalLikelihoodEstimate estimate_marginal_likelihood(LatentTarget& target, const Tensor& initial,
                                                        const MarginalLikelihoodOptions& options, Rng& rng,
                                                        const ProgressFn& progress = {});

}  // namespace aevb::models::inference
