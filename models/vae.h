// The variational autoencoder (Kingma & Welling 2013) and its conditional form, the
// CVAE (Sohn, Lee & Yan 2015).
//
// Legend: N batch, D pixels, H hidden units, Z latent size, C condition size (one-hot
// classes; 0 for a plain VAE), K importance samples.
//
// Encoder q(z | x, c): an MLP from [x | c] to 2Z outputs, the location and the log of
// the squared scale of a location-scale posterior (Normal: mean and log-variance); or
// a convolutional network, the condition joining its features (models/architecture.h).
// Decoder p(x | z, c): an MLP (or transposed convolutions) from [z | c] to D outputs
// (logits), or 2D (mean and log-variance) for a Gaussian likelihood. Prior p(z | c): N(0, I), or, for a CVAE
// with a learned prior, a Normal whose mean and log-variance come from a small MLP of c.
//
// The ELBO (Section 2.3): E_q[log p(x | z)] - KL(q(z | x) || p(z)), estimated with one
// reparameterized sample per image (Section 2.4). The KL is analytic when posterior
// and prior are both Normal (Appendix B), a one-sample Monte Carlo estimate otherwise.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/architecture.h"
#include "nn/distributions/distributions.h"
#include "nn/layers.h"

namespace aevb::models {

enum class Likelihood { bernoulli, continuous_bernoulli, gaussian };
enum class Posterior { normal, laplace, logistic, gumbel, cauchy };
Likelihood parse_likelihood(const std::string& name);
Posterior parse_posterior(const std::string& name);
const char* to_string(Likelihood likelihood);
const char* to_string(Posterior posterior);

struct VaeConfig {
  int64_t inputs = 784;                   // D
  std::vector<int64_t> hidden = {400};    // H per layer, or channels per convolution (the decoder mirrors the encoder)
  Architecture architecture = Architecture::mlp;
  int64_t image_height = 0, image_width = 0;  // conv: the images' rows and columns
  int64_t latent = 20;                    // Z
  int64_t conditions = 0;                 // C: 0 for a VAE, the number of classes for a CVAE
  bool learned_prior = false;             // CVAE: p(z | c) from an MLP of c
  int64_t prior_hidden = 64;
  nn::Activation activation = nn::Activation::relu;
  Likelihood likelihood = Likelihood::bernoulli;
  Posterior posterior = Posterior::normal;
  std::optional<nn::Init> init;           // default: the one suited to the activation
};

// The terms of one ELBO estimate, per image averaged over the batch, in nats.
struct ElboTerms {
  Var loss;            // what training minimizes: reconstruction + weighted (free-bits) KL
  Var reconstruction;  // -E_q log p(x | z), shape []
  Var kl;              // KL(q || p), shape []
  Var kl_per_dimension;  // [Z], averaged over the batch
  Var decoder_output;  // [N, D] logits (or [N, 2D])
  Var posterior_loc;   // [N, Z]
};

struct ElboOptions {
  float kl_weight = 1.0f;  // beta times the warm-up factor
  float free_bits = 0.0f;  // per latent dimension: the KL term is sum_j max(KL_j, free_bits)
};

class Vae : public nn::Module {
 public:
  Vae(const VaeConfig& config, Rng& rng);
  const VaeConfig& config() const { return config_; }

  // x [N, D] in [0, 1]; condition [N, C] one-hot, or an empty Var for a plain VAE.
  // Its nodes' module is the encoder's or decoder's layer, or one of the terms below.
  static const std::string kReparameterizationTerm, kReconstructionTerm, kKlTerm, kLossTerm;
  ElboTerms elbo(Var x, Var condition, Rng& rng, ElboOptions options = {});

  std::unique_ptr<nn::LocationScale> posterior(Var x, Var condition);
  std::unique_ptr<nn::Normal> prior(Tape& tape, Var condition, int64_t count);
  Var decode(Var z, Var condition);                    // decoder output: logits (or mean | log-variance)
  Var log_likelihood(Var x, Var decoder_output);       // log p(x | z) per image, [N]
  Var decoder_mean(Var decoder_output);                // E[x | z], [N, D], for pictures

  // log w_k = log p(x | z_k) + log p(z_k) - log q(z_k | x) for K draws z_k ~ q, [N, K].
  // mean_k log w_k is an ELBO estimate; log mean_k exp(log w_k) the importance-weighted
  // bound of Burda et al. (2015), never below it for the same draws.
  Var log_importance_weights(Var x, Var condition, int64_t samples, Rng& rng);
  // The same under any q of the posterior's family with parameters loc and log-variance
  // [N, Z] (per-datapoint variational inference optimizes its own; the encoder's give
  // the line above).
  Var log_importance_weights(Var x, Var condition, Var loc, Var log_variance, int64_t samples, Rng& rng);

  // A posterior of this model's family from a location and the log of the squared
  // scale [N, Z], as the encoder's output defines it.
  std::unique_ptr<nn::LocationScale> make_posterior(Var loc, Var log_variance) const;
  // The encoder's two outputs [N, Z] each, without building a distribution.
  struct Encoding {
    Var loc, log_variance;
  };
  Encoding encode(Var x, Var condition);

 private:
  nn::Normal prior_value(Tape& tape, Var condition, int64_t count);
  Var with_condition(Var v, Var condition) const;
  Var checked_condition(Var condition, int64_t batch) const;  // condition, or none for a VAE
  Var repeat_rows(Var v, int64_t times) const;  // [N, F] -> [N * times, F], each row repeated

  VaeConfig config_;
  nn::Sequential* encoder_;
  size_t condition_joins_encoder_at_ = 0;
  nn::Sequential* decoder_;
  nn::Sequential* prior_network_ = nullptr;
};

// -log p(x) estimated by importance sampling with K samples per image (K = 5000 in the
// literature), over a whole image set in chunks of at most `rows` decoder evaluations.
// Returns the mean over images, in nats.
struct ImageRows {
  const float* images;     // [count, D]
  const float* conditions; // [count, C], or nullptr
  int64_t count;
};
double negative_log_likelihood(Vae& vae, ImageRows data, int64_t samples, Rng& rng, int64_t rows = 20000);

}  // namespace aevb::models
