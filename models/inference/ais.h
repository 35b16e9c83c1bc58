// Annealed importance sampling (Neal 2001, "Annealed importance sampling", Statistics
// and Computing 11) of log p(x) = log int p(z) p(x | z) dz, as Wu, Burda, Salakhutdinov
// & Grosse (2017, "On the quantitative analysis of decoder-based generative models")
// use it to evaluate decoders.
//
// Each chain starts at an exact draw z_0 ~ p(z) and walks the geometric path
// f_t(z) = p(z) p(x | z)^beta_t, 0 = beta_0 < ... < beta_T = 1: at step t its weight
// gains (beta_t - beta_t-1) log p(x | z_t-1), then one HMC transition that leaves f_t
// invariant moves it. E[exp(log w)] = p(x) exactly, for any number of steps; more
// steps make the weights' variance smaller. The estimate is log-mean-exp of the
// chains' log w, its standard error the delta method's over chains. The schedule is
// sigmoidal (Grosse, Maddison & Salakhutdinov 2013): many small steps near beta = 0 and
// beta = 1, where f changes fastest. The HMC step size of every step comes from a pilot
// run, whose chains adapt theirs by 2% per step toward a target acceptance rate (as Wu
// et al.'s code does) and whose weights are thrown away: a step size that adapted to a
// chain's own past would make its kernel depend on its history, and the estimate came
// out above the exact log p(x) (by 0.1 to 0.3 nats at 1,000 steps on a 2-D VAE).
#pragma once

#include <vector>

#include "models/inference/target.h"

namespace aevb::models::inference {

struct AisOptions {
  int64_t steps = 1000;      // intermediate distributions T
  int64_t chains = 16;       // per image
  int64_t pilot_chains = 4;  // per image, for the step sizes
  int leapfrog_steps = 10;
  double initial_step_size = 0.05;
  double target_acceptance = 0.65;
};

struct AisEstimate {
  std::vector<double> log_marginal, standard_error;  // per image
  std::vector<double> acceptance;                    // per image, mean over chains and steps
  double seconds = 0;
};

// The annealing schedule: beta_0 = 0, ..., beta_T = 1, steps + 1 values.
std::vector<double> sigmoid_schedule(int64_t steps);

AisEstimate run_ais(LatentTarget& target, const AisOptions& options, Rng& rng, const ProgressFn& progress = {});

}  // namespace aevb::models::inference
