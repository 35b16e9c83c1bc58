// The wake-sleep algorithm (Hinton, Dayan, Frey & Neal 1995, "The wake-sleep algorithm
// for unsupervised neural networks", Science 268), as Kingma & Welling compare AEVB with
// it in their Figure 2: the same encoder q(z | x) (the recognition model) and decoder
// p(x | z) as the VAE, trained by two phases that each fit one of them:
//   wake   z ~ q(z | x) for the data x, drawn without a path back into the encoder;
//          the decoder ascends log p(x | z) (the prior p(z) = N(0, I) has nothing to learn)
//   sleep  dreams z ~ p(z), x ~ p(x | z) (binary pixels drawn from the decoder's means);
//          the encoder ascends log q(z | x) on them
// Neither phase follows the gradient of one objective: the sleep phase fits q to the
// model's own posterior under its own dreams (KL(p || q), not the ELBO's KL(q || p)),
// which is why it converges more slowly and to a worse bound (the paper's finding).
#pragma once

#include "models/vae.h"
#include "nn/optimizer.h"

namespace aevb::models::inference {

struct WakeSleepLosses {
  double wake = 0;   // -log p(x | z) per image, z ~ q
  double sleep = 0;  // -log q(z | x) per dream
};

// One update of both phases on a minibatch x [M, D]; the optimizer holds all of the
// VAE's parameters (each phase's loss reaches only its own half). Bernoulli decoders only.
WakeSleepLosses wake_sleep_step(Vae& vae, const Tensor& x, nn::Optimizer& optimizer, Rng& rng);

}  // namespace aevb::models::inference
