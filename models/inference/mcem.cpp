#include "models/inference/mcem.h"

#include "autodiff/error.h"
#include "models/inference/hmc.h"
#include "models/inference/target.h"

namespace aevb::models::inference {

std::vector<nn::NamedParameter> decoder_parameters(Vae& vae) {
  std::vector<nn::NamedParameter> decoder;
  for (const nn::NamedParameter& p : vae.named_parameters())
    if (p.name.rfind("decoder.", 0) == 0) decoder.push_back(p);
  return decoder;
}

MonteCarloEm::MonteCarloEm(Vae& vae, int64_t datapoints, McemOptions options, Rng& rng)
    : vae_(vae),
      options_(options),
      codes_(Tensor::normal({datapoints, vae.config().latent}, rng)),
      step_size_(static_cast<size_t>(datapoints), options.initial_step_size),
      accepted_(static_cast<size_t>(datapoints), 0.0) {
  check(datapoints > 0 && options.leapfrog_steps > 0 && options.decoder_updates > 0, "MonteCarloEm: bad options");
}

double MonteCarloEm::step(const Tensor& x, const std::vector<int64_t>& indices, nn::Optimizer& decoder_optimizer,
                          Rng& rng) {
  const int64_t m = x.shape()[0], z = vae_.config().latent;
  check(int64_t(indices.size()) == m, "MonteCarloEm: ", indices.size(), " indices for ", m, " images");
  // E step: the minibatch's chains, one HMC transition each.
  Tensor codes({m, z});
  std::vector<double> steps(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    std::copy(row(codes_, indices[size_t(i)]), row(codes_, indices[size_t(i)]) + z, row(codes, i));
    steps[size_t(i)] = step_size_[size_t(indices[size_t(i)])];
  }
  VaePosterior target(vae_, x);
  TargetValues values;
  target.evaluate(codes, 1.0, true, values);
  std::vector<bool> accepted;
  std::vector<double> probability;
  hmc_transition(target, 1.0, codes, values, steps, options_.leapfrog_steps, rng, accepted, probability);
  double joint = 0;
  for (int64_t i = 0; i < m; ++i) {
    const size_t d = size_t(indices[size_t(i)]);
    std::copy(row(codes, i), row(codes, i) + z, row(codes_, int64_t(d)));
    step_size_[d] *= probability[size_t(i)] > options_.target_acceptance ? 1.02 : 0.98;
    accepted_[d] = accepted[size_t(i)] ? 1 : 0;
    joint += values.log_density(i, 1) / double(m);
  }
  // M step: the decoder ascends log p(x | z) at those codes.
  Tape tape;
  for (int update = 0; update < options_.decoder_updates; ++update) {
    tape.clear();
    decoder_optimizer.zero_grad();
    tape.backward(neg(mean(vae_.log_likelihood(tape.input(x), vae_.decode(tape.input(codes), Var())))));
    decoder_optimizer.step();
  }
  return joint;
}

double MonteCarloEm::mean_acceptance() const {
  double sum = 0;
  for (double a : accepted_) sum += a / double(accepted_.size());
  return sum;
}

}  // namespace aevb::models::inference
