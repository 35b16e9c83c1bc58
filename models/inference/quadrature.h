// The exact log p(x) of a model with a 2-D latent, by quadrature: the ground truth the
// other methods are measured against.
//
// p(x) = int p(x | z) p(z) dz over the plane. A coarse grid over [-6, 6]^2 (all of
// N(0, I) but 1e-8) finds where the posterior's mass is, wherever it is, a second mode
// included: the box of coarse cells that hold all but 1e-10 of it, widened by two
// cells. A fine grid over that box, its side doubled from 64 until log p(x) changes by
// under `tolerance` nats, gives the integral there (the midpoint rule); the coarse cells
// outside the box add their share. The normalized posterior density on the fine grid
// is what the picture's contours draw, and its moments are the exact posterior's.
#pragma once

#include <vector>

#include "models/inference/target.h"

namespace aevb::models::inference {

struct QuadratureOptions {
  double tolerance = 0.01;    // nats
  int64_t coarse_side = 240;  // cells per side of the coarse grid (0.05 wide)
  int64_t first_side = 64;    // of the fine grid
  int64_t largest_side = 1024;
};

struct PosteriorGrid {
  double log_marginal = 0;                   // log p(x)
  double change = 0;                         // |log p(x)| between the last two fine grids
  bool converged = false;                    // change < tolerance
  double low[2] = {0, 0}, high[2] = {0, 0};  // the fine grid's box
  int64_t side = 0;
  std::vector<double> density;           // [side, side], p(z | x) at cell centres; index a * side + b for z = (a, b)
  std::vector<double> mean, covariance;  // of p(z | x): [2] and [2, 2]
};

// One grid per image of the target (whose dimension must be 2).
std::vector<PosteriorGrid> exact_posterior(LatentTarget& target, const QuadratureOptions& options = {},
                                           const ProgressFn& progress = {});

}  // namespace aevb::models::inference
