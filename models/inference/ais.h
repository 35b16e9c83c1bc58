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
// beta = 1, where f changes fastest. Each chain's step size moves by 2% per step
// toward a target acceptance rate, from its own acceptances (as Wu et al.'s code does).
#pragma once

#include <vector>

#include "models/inference/target.h"

namespace aevb::models::inference {

struct AisOptions {
  int64_t steps = 1000;   // intermediate distributions T
  int64_t chains = 16;    // per image
  int leapfrog_steps = 10;
  double initial_step_size = 0.05;
  double target_acceptance = 0.65;
};

struct AisEstimate {
  std::vector<double> log_marginal, standard_error;  // per image
  std::vector<double> acceptance;                     // per image, mean over chains and steps
  double seconds = 0;
};

// The annealing schedule: beta_0 = 0, ..., beta_T = 1, steps + 1 values.
std::vector<double> sigmoid_schedule(int64_t steps);

AisEstimate run_ais(LatentTarget& target, const AisOptions& options, Rng& rng, const ProgressFn& progress = {});

}  // namespace aevb::models::inference
