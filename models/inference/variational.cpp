#include "models/inference/variational.h"

#include <chrono>

#include "autodiff/error.h"
#include "models/inference/statistics.h"
#include "nn/optimizer.h"

namespace aevb::models::inference {

void encoder_parameters(Vae& vae, const Tensor& images, Tensor& loc, Tensor& log_variance) {
  NoGradGuard no_grad;
  Tape tape;
  Vae::Encoding e = vae.encode(tape.input(images), Var());
  loc = e.loc.value();
  log_variance = e.log_variance.value();
}

void elbo_of(Vae& vae, const Tensor& images, const Tensor& loc, const Tensor& log_variance, int64_t samples, Rng& rng,
             std::vector<double>& elbo, std::vector<double>& error) {
  NoGradGuard no_grad;
  const int64_t n = images.shape()[0], d = images.shape()[1], z = loc.shape()[1];
  const int64_t per_pass = std::max<int64_t>(1, 20000 / samples);  // images per evaluation
  elbo.assign(static_cast<size_t>(n), 0.0);
  error.assign(static_cast<size_t>(n), 0.0);
  std::vector<double> log_w(static_cast<size_t>(samples));
  for (int64_t first = 0; first < n; first += per_pass) {
    const int64_t count = std::min(per_pass, n - first);
    Tape tape;
    Var w = vae.log_importance_weights(tape.input({count, d}, images.data() + first * d), Var(),
                                       tape.input({count, z}, loc.data() + first * z),
                                       tape.input({count, z}, log_variance.data() + first * z), samples, rng);
    for (int64_t i = 0; i < count; ++i) {
      for (int64_t k = 0; k < samples; ++k) log_w[size_t(k)] = w.data()[i * samples + k];
      const MeanAndError m = mean_and_error(log_w);
      elbo[size_t(first + i)] = m.mean;
      error[size_t(first + i)] = m.standard_error;
    }
  }
}

VariationalFit fit_per_datapoint(Vae& vae, const Tensor& images, const Tensor& loc0, const Tensor& log_variance0,
                                 const VariationalOptions& options, Rng& rng, const ProgressFn& progress) {
  check(options.steps >= 0 && options.samples >= 1 && options.final_samples >= 2 && options.learning_rate > 0,
        "fit_per_datapoint: bad options");
  const int64_t n = images.shape()[0];
  check(loc0.shape() == Shape{n, vae.config().latent} && log_variance0.shape() == loc0.shape(),
        "fit_per_datapoint: starting parameters ", loc0.shape(), " do not fit ", n, " images");
  const auto start = std::chrono::steady_clock::now();
  Parameter loc("loc", loc0), log_variance("log_variance", log_variance0);
  nn::Adam adam({{"loc", &loc}, {"log_variance", &log_variance}}, {.learning_rate = options.learning_rate});
  VariationalFit fit;
  {
    nn::FrozenScope frozen(vae);  // the model is fixed; only each image's q moves
    Tape tape;
    for (int64_t step = 0; step < options.steps; ++step) {
      tape.clear();
      adam.zero_grad();
      Var log_w = vae.log_importance_weights(tape.input(images), Var(), tape.param(loc), tape.param(log_variance),
                                             options.samples, rng);
      // Summed over images (each image's q gets its own ELBO's gradient), averaged over draws.
      Var elbo_sum = mul(sum(log_w), 1.0f / static_cast<float>(options.samples));
      fit.trace.push_back(static_cast<double>(elbo_sum.item()) / static_cast<double>(n));
      tape.backward(neg(elbo_sum));
      adam.step();
      if (progress) progress(step + 1, options.steps);
    }
  }
  fit.loc = loc.value();
  fit.log_variance = log_variance.value();
  elbo_of(vae, images, fit.loc, fit.log_variance, options.final_samples, rng, fit.elbo, fit.elbo_error);
  fit.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return fit;
}

}  // namespace aevb::models::inference
