// Random-walk Metropolis-Hastings (Metropolis et al. 1953; Hastings 1970) on a
// LatentTarget: propose z' = z + s eps, eps ~ N(0, I), and accept with probability
// min(1, f(z') / f(z)) (the proposal is symmetric, so its density cancels). It needs
// no gradient, one target evaluation per step, and moves slowly where the posterior
// is narrow in some directions and wide in others. During warm-up each chain tunes its
// scale s by a Robbins-Monro step on log s toward a target acceptance rate (0.234 is
// optimal for large Z, Roberts, Gelman & Gilks 1997; about 0.35 for Z = 2).
#pragma once

#include "models/inference/target.h"

namespace aevb::models::inference {

struct MetropolisOptions {
  int64_t warmup = 1000;
  int64_t samples = 5000;
  double initial_scale = 0.1;
  double target_acceptance = 0.3;
};

ChainRun run_metropolis(LatentTarget& target, const Tensor& initial, const MetropolisOptions& options, Rng& rng,
                        const ProgressFn& progress = {});

}  // namespace aevb::models::inference
