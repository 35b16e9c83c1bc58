// Monte Carlo EM with Hamiltonian Monte Carlo, as the paper's Appendix E ran it for
// Figure 3: the decoder p(x | z) is fitted by EM where the E step's posterior p(z | x)
// is sampled, not computed. Each datapoint keeps its own code z_i, a persistent chain:
//   E step  one HMC transition of each minibatch code (10 leapfrog steps, each chain's
//           step size moved by 2% per transition toward 90% acceptance), on the
//           posterior under the current decoder;
//   M step  `decoder_updates` (5) gradient steps on the minibatch's mean log p(x_i | z_i).
// No encoder: every datapoint costs an HMC chain, so MCEM does not scale to large data
// sets, as the paper notes; Figure 3 shows how it fares against AEVB.
#pragma once

#include <vector>

#include "models/vae.h"
#include "nn/optimizer.h"

namespace aevb::models::inference {

struct McemOptions {
  int leapfrog_steps = 10;
  double initial_step_size = 0.05;
  double target_acceptance = 0.9;
  int decoder_updates = 5;
};

class MonteCarloEm {
 public:
  // Codes for `datapoints` images start as draws from the prior.
  MonteCarloEm(Vae& vae, int64_t datapoints, McemOptions options, Rng& rng);
  // One E step and the M steps on images x [M, D], the datapoints `indices` [M]; the
  // optimizer holds the decoder's parameters. Returns the mean log p(x, z) after the E step.
  double step(const Tensor& x, const std::vector<int64_t>& indices, nn::Optimizer& decoder_optimizer, Rng& rng);
  double mean_acceptance() const;  // over the datapoints' last transitions

 private:
  Vae& vae_;
  McemOptions options_;
  Tensor codes_;                   // [datapoints, Z]
  std::vector<double> step_size_;  // per datapoint
  std::vector<double> accepted_;   // per datapoint, its last transition
};

// The decoder's parameters of a VAE, for an optimizer that fits only them.
std::vector<nn::NamedParameter> decoder_parameters(Vae& vae);

}  // namespace aevb::models::inference
