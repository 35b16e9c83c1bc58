#include "models/inference/wake_sleep.h"

#include "autodiff/error.h"

namespace aevb::models::inference {

WakeSleepLosses wake_sleep_step(Vae& vae, const Tensor& x, nn::Optimizer& optimizer, Rng& rng) {
  check(vae.config().likelihood == Likelihood::bernoulli && vae.config().conditions == 0,
        "wake-sleep: a plain VAE with a Bernoulli decoder (its dreams are binary images)");
  const int64_t m = x.shape()[0], z = vae.config().latent;
  // The wake phase's codes and the sleep phase's dreams, drawn as constants.
  Tensor wake_codes, dream_codes = Tensor::normal({m, z}, rng), dreams(x.shape());
  {
    NoGradGuard no_grad;
    Tape tape;
    wake_codes = vae.posterior(tape.input(x), Var())->sample(rng);
    Var means = vae.decoder_mean(vae.decode(tape.input(dream_codes), Var()));
    for (int64_t i = 0; i < dreams.numel(); ++i) dreams[i] = rng.uniform() < means.data()[i] ? 1.0f : 0.0f;
  }
  optimizer.zero_grad();
  Tape tape;
  Var wake = neg(mean(vae.log_likelihood(tape.input(x), vae.decode(tape.input(wake_codes), Var()))));
  Var sleep = neg(mean(sum(vae.posterior(tape.input(dreams), Var())->log_prob(tape.input(dream_codes)), 1)));
  tape.backward(add(wake, sleep));
  optimizer.step();
  return {wake.item(), sleep.item()};
}

}  // namespace aevb::models::inference
