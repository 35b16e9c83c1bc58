// Hamiltonian Monte Carlo (Duane, Kennedy, Pendleton & Roweth 1987; Neal 2011, "MCMC
// using Hamiltonian dynamics", Handbook of MCMC ch. 5) on a LatentTarget.
//
// The code z gets a momentum p ~ N(0, I); the pair moves along the dynamics of
// H(z, p) = -log f(z) + |p|^2 / 2 by L leapfrog steps of size e:
//   p <- p + (e/2) grad log f(z);  z <- z + e p;  p <- p + (e/2) grad log f(z)
// (the inner half steps merged), and the end point is accepted with probability
// min(1, exp(H(start) - H(end))). Leapfrog is reversible and keeps volume, so this
// leaves f invariant; its energy error is O(e^2), so the acceptance rate tells e.
// During warm-up each chain tunes its own e to a target acceptance rate by dual
// averaging (Hoffman & Gelman 2014, Algorithm 5); the paper's Appendix E used 90%.
// Every iteration's step is jittered by a factor uniform in [0.8, 1.2].
#pragma once

#include <span>

#include "models/inference/target.h"

namespace aevb::models::inference {

struct HmcOptions {
  int64_t warmup = 300;   // iterations that tune the step size; their draws are dropped
  int64_t samples = 500;  // iterations kept, per chain
  int leapfrog_steps = 10;
  double initial_step_size = 0.05;
  double target_acceptance = 0.9;
  double beta = 1;  // the target's f_beta (1: the posterior)
};

// L leapfrog steps from (z, p), each row with its own step size; z, p and `values`
// (the target at z with its gradient, on entry and on return) move in place.
void leapfrog(LatentTarget& target, double beta, Tensor& z, Tensor& momentum, TargetValues& values,
              std::span<const double> step_size, int steps);

// H(z, p) per row: -log f_beta(z) + |p|^2 / 2.
double hamiltonian(const TargetValues& values, double beta, const Tensor& momentum, int64_t row);

// Chains from `initial` [R, Z] (R a multiple of the target's images).
ChainRun run_hmc(LatentTarget& target, const Tensor& initial, const HmcOptions& options, Rng& rng,
                 const ProgressFn& progress = {});

// One HMC transition of every chain with fixed step sizes: z and `values` move in place;
// accepted[r] tells whether row r moved. What AIS and MCEM call between their steps.
void hmc_transition(LatentTarget& target, double beta, Tensor& z, TargetValues& values,
                    std::span<const double> step_size, int leapfrog_steps, Rng& rng, std::vector<bool>& accepted,
                    std::vector<double>& acceptance_probability);

// Dual averaging of log e toward a target acceptance rate (Hoffman & Gelman 2014, with
// their gamma 0.05, t0 10, kappa 0.75), one per chain.
class StepSizeAdaptation {
 public:
  StepSizeAdaptation(double initial_step_size, double target_acceptance);
  void update(double acceptance_probability);      // after each warm-up iteration
  double step_size() const { return step_size_; }  // to use for the next iteration
  double final_step_size() const;                  // the averaged one, after warm-up

 private:
  double mu_, target_, h_bar_ = 0, log_step_bar_ = 0, step_size_;
  int64_t t_ = 0;
};

}  // namespace aevb::models::inference
