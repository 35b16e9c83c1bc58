// Gibbs sampling (Geman & Geman 1984) on a LatentTarget: each sweep redraws every
// coordinate z_j in turn from its conditional p(z_j | z_-j, x), with the others held.
// A VAE's conditionals have no closed form, so each is computed on a grid: the
// unnormalized log density at `points` values of z_j over the prior's range [-8, 8],
// then again at `points` values over the cells that hold all but 1e-12 of that mass;
// a draw picks a cell of the second grid by its mass and a point uniformly inside it.
// So a draw is exact up to the grid's resolution (the density is taken as constant
// across a cell, a relative error of order (cell width / conditional width)^2), and
// the conditional is found wherever it lies in the prior's range. Each sweep costs
// 2 Z `points` target evaluations per chain: sound and simple for Z = 2, the picture's
// case, and too dear for large Z, where HMC is the method.
#pragma once

#include "models/inference/target.h"

namespace aevb::models::inference {

struct GibbsOptions {
  int64_t warmup = 20;
  int64_t samples = 200;  // sweeps kept
  int64_t points = 64;    // per grid (two grids per coordinate)
};

ChainRun run_gibbs(LatentTarget& target, const Tensor& initial, const GibbsOptions& options, Rng& rng,
                   const ProgressFn& progress = {});

}  // namespace aevb::models::inference
