// Per-datapoint variational inference: for each image its own q(z) = q(z; loc, log
// variance) of the encoder's family, its parameters fitted by stochastic gradient
// ascent (Adam) on that image's ELBO, E_q[log p(x, z) - log q(z)], estimated with
// reparameterized draws (the mean-field and stochastic VI of the lecture, Hoffman et
// al. 2013, with the model held fixed). Started at the encoder's output, it measures
// what amortization costs: the amortization gap, ELBO(optimized q) - ELBO(encoder's q);
// with an exact log p(x), the approximation gap log p(x) - ELBO(optimized q) is what
// the family itself cannot reach (Cremer, Li & Duvenaud 2018, "Inference Suboptimality
// in Variational Autoencoders").
#pragma once

#include <vector>

#include "models/inference/target.h"
#include "models/vae.h"

namespace aevb::models::inference {

struct VariationalOptions {
  int64_t steps = 500;           // Adam steps
  int64_t samples = 10;          // reparameterized draws per image per step
  float learning_rate = 0.01f;   // Adam's
  int64_t final_samples = 1000;  // draws for the reported ELBO
};

struct VariationalFit {
  Tensor loc, log_variance;              // [N, Z] the fitted parameters
  std::vector<double> elbo, elbo_error;  // per image: the ELBO of the fitted q, its standard error
  std::vector<double> trace;             // the mean ELBO estimate over images at each step
  double seconds = 0;
};

// q's parameters for images [N, D] start at loc0 and log_variance0 [N, Z] (the
// encoder's, or zeros for N(0, I)).
VariationalFit fit_per_datapoint(Vae& vae, const Tensor& images, const Tensor& loc0, const Tensor& log_variance0,
                                 const VariationalOptions& options, Rng& rng, const ProgressFn& progress = {});

// The ELBO of q(loc, log_variance) per image with K draws, and its standard error.
void elbo_of(Vae& vae, const Tensor& images, const Tensor& loc, const Tensor& log_variance, int64_t samples, Rng& rng,
             std::vector<double>& elbo, std::vector<double>& error);

// The encoder's q parameters for images [N, D]: loc and log-variance [N, Z].
void encoder_parameters(Vae& vae, const Tensor& images, Tensor& loc, Tensor& log_variance);

}  // namespace aevb::models::inference
