#include "models/inference/target.h"

#include <cmath>
#include <numbers>

#include "autodiff/error.h"
#include "nn/module.h"

namespace aevb::models::inference {

double standard_normal_log_density(const float* z, int64_t dimension) {
  double squares = 0;
  for (int64_t j = 0; j < dimension; ++j) squares += static_cast<double>(z[j]) * z[j];
  return -0.5 * squares - 0.5 * static_cast<double>(dimension) * std::log(2 * std::numbers::pi);
}

VaePosterior::VaePosterior(Vae& vae, const Tensor& images, int64_t chunk_rows)
    : vae_(vae), images_(images), chunk_rows_(chunk_rows) {
  check(vae.config().conditions == 0, "inference: a CVAE's posterior needs its condition; only a VAE is supported");
  check(!vae.config().learned_prior, "inference: the prior must be N(0, I)");
  check(images.shape().rank() == 2 && images.shape()[1] == vae.config().inputs && images.shape()[0] > 0,
        "VaePosterior: images ", images.shape(), " are not [N, ", vae.config().inputs, "]");
  check(chunk_rows > 0, "VaePosterior: chunk_rows ", chunk_rows);
}

void VaePosterior::evaluate(const Tensor& z, double beta, bool with_gradient, TargetValues& out) {
  const int64_t n = images(), latent = dimension(), d = vae_.config().inputs;
  check(z.shape().rank() == 2 && z.shape()[1] == latent && z.shape()[0] % n == 0, "VaePosterior: codes ", z.shape(),
        " are not [k N, ", latent, "] for N = ", n);
  const int64_t total = z.shape()[0], per_image = total / n;
  out.log_prior.resize(static_cast<size_t>(total));
  out.log_likelihood.resize(static_cast<size_t>(total));
  if (with_gradient && out.gradient.shape() != z.shape()) out.gradient = Tensor(z.shape());
  nn::FrozenScope frozen(vae_);  // the weights are constants here: only the code gets a gradient
  Tensor x_rows;
  for (int64_t first = 0; first < total; first += chunk_rows_) {
    const int64_t count = std::min(chunk_rows_, total - first);
    if (x_rows.numel() != count * d) x_rows = Tensor({count, d});
    for (int64_t r = 0; r < count; ++r) {
      const float* image = images_.data() + ((first + r) / per_image) * d;
      std::copy(image, image + d, x_rows.data() + r * d);
    }
    Parameter code(
        "z", Tensor::from_values({count, latent}, {z.data() + first * latent, static_cast<size_t>(count * latent)}));
    Tape tape;
    std::optional<NoGradGuard> no_grad;
    if (!with_gradient) no_grad.emplace();
    Var zv = tape.param(code);
    Var log_prior = sum(vae_.prior(tape, Var(), count)->log_prob(zv), 1);
    Var log_likelihood = vae_.log_likelihood(tape.input(x_rows), vae_.decode(zv, Var()));
    for (int64_t r = 0; r < count; ++r) {
      out.log_prior[static_cast<size_t>(first + r)] = log_prior.data()[r];
      out.log_likelihood[static_cast<size_t>(first + r)] = log_likelihood.data()[r];
    }
    if (with_gradient) {
      tape.backward(add(sum(log_prior), mul(sum(log_likelihood), static_cast<float>(beta))));
      std::copy(code.grad().data(), code.grad().data() + count * latent, out.gradient.data() + first * latent);
    }
  }
  rows_evaluated_ += total;
}

}  // namespace aevb::models::inference
