#include "models/vae.h"

#include <cmath>
#include <limits>
#include <type_traits>
#include <variant>

#include "autodiff/error.h"

namespace aevb::models {
Likelihood parse_likelihood(const std::string& name) {
  for (Likelihood l : {Likelihood::bernoulli, Likelihood::continuous_bernoulli, Likelihood::gaussian})
    if (name == to_string(l)) return l;
  fail("unknown likelihood '", name, "': expected bernoulli, continuous-bernoulli or gaussian");
}

Posterior parse_posterior(const std::string& name) {
  for (Posterior p : {Posterior::normal, Posterior::laplace, Posterior::logistic, Posterior::gumbel, Posterior::cauchy})
    if (name == to_string(p)) return p;
  fail("unknown posterior '", name, "': expected normal, laplace, logistic, gumbel or cauchy");
}

const char* to_string(Likelihood likelihood) {
  switch (likelihood) {
    case Likelihood::bernoulli: return "bernoulli";
    case Likelihood::continuous_bernoulli: return "continuous-bernoulli";
    case Likelihood::gaussian: return "gaussian";
  }
  return "?";
}

const char* to_string(Posterior posterior) {
  switch (posterior) {
    case Posterior::normal: return "normal";
    case Posterior::laplace: return "laplace";
    case Posterior::logistic: return "logistic";
    case Posterior::gumbel: return "gumbel";
    case Posterior::cauchy: return "cauchy";
  }
  return "?";
}

Vae::Vae(const VaeConfig& config, Rng& rng) : config_(config) {
  check(config.inputs > 0 && config.latent > 0 && config.conditions >= 0, "Vae: sizes D=", config.inputs,
        " Z=", config.latent, " C=", config.conditions, " must be positive");
  check(!config.learned_prior || config.conditions > 0, "Vae: a learned prior p(z | c) needs conditions (a CVAE)");
  const int64_t d = config.inputs, z = config.latent, c = config.conditions;
  const int64_t decoder_channels = config.likelihood == Likelihood::gaussian ? 2 : 1;
  const NetworkShape shape{config.architecture, config.hidden, config.image_height, config.image_width};
  Encoder encoder = make_encoder(shape, d, c, 2 * z, config.activation, rng, config.init);
  encoder_ = &adopt("encoder", std::move(encoder.layers));
  condition_joins_encoder_at_ = encoder.conditions_join_at;
  decoder_ = &adopt("decoder", make_decoder(shape, z + c, d, decoder_channels, config.activation, rng, config.init));
  const nn::MlpOptions mlp{.init = config.init};
  if (config.learned_prior)
    prior_network_ = &adopt("prior", nn::make_mlp({c, config.prior_hidden, 2 * z}, config.activation, rng, mlp));
}

Var Vae::checked_condition(Var condition, int64_t batch) const {
  if (config_.conditions == 0) return Var();
  check(condition.defined(), "Vae: this CVAE needs a condition [N, ", config_.conditions, "]");
  check(condition.shape() == Shape{batch, config_.conditions}, "Vae: condition ", condition.shape(),
        " does not fit a batch of ", batch, " with C=", config_.conditions);
  return condition;
}

Var Vae::with_condition(Var v, Var condition) const {
  if (config_.conditions == 0) return v;
  const Var parts[] = {v, checked_condition(condition, v.shape()[0])};  // on the stack: a step allocates nothing
  return concat(parts, 1);
}

Vae::Encoding Vae::encode(Var x, Var condition) {
  check(x.shape().rank() == 2 && x.shape()[1] == config_.inputs, "Vae: input ", x.shape(), " is not [N, ",
        config_.inputs, "]");
  ModuleScope scope(&encoder_->path());  // the split into location and scale is the encoder's
  Var out = forward_joined(*encoder_, condition_joins_encoder_at_, x, checked_condition(condition, x.shape()[0]));
  const int64_t z = config_.latent;
  return {slice(out, 1, 0, z), slice(out, 1, z, z)};
}

namespace {

// A posterior held by value, so that a training step allocates nothing on the heap.
using PosteriorValue = std::variant<nn::Normal, nn::Laplace, nn::Logistic, nn::Gumbel, nn::Cauchy>;

// The encoder's second half is the log of the squared scale (for a Normal, the log-variance).
PosteriorValue posterior_value(Posterior family, Var loc, Var log_variance) {
  if (family == Posterior::normal) return nn::Normal::from_log_variance(loc, log_variance);
  Var scale = exp(mul(log_variance, 0.5f));
  switch (family) {
    case Posterior::laplace: return nn::Laplace(loc, scale);
    case Posterior::logistic: return nn::Logistic(loc, scale);
    case Posterior::gumbel: return nn::Gumbel(loc, scale);
    case Posterior::cauchy: return nn::Cauchy(loc, scale);
    case Posterior::normal: break;
  }
  fail("Vae: unknown posterior");
}

nn::LocationScale& as_location_scale(PosteriorValue& value) {
  return std::visit([](auto& distribution) -> nn::LocationScale& { return distribution; }, value);
}

}  // namespace

std::unique_ptr<nn::LocationScale> Vae::make_posterior(Var loc, Var log_variance) const {
  PosteriorValue value = posterior_value(config_.posterior, loc, log_variance);
  return std::visit(
      [](auto& distribution) -> std::unique_ptr<nn::LocationScale> {
        return std::make_unique<std::decay_t<decltype(distribution)>>(distribution);
      },
      value);
}

std::unique_ptr<nn::LocationScale> Vae::posterior(Var x, Var condition) {
  Encoding e = encode(x, condition);
  return make_posterior(e.loc, e.log_variance);
}

nn::Normal Vae::prior_value(Tape& tape, Var condition, int64_t count) {
  const int64_t z = config_.latent;
  if (!config_.learned_prior) return nn::Normal(tape.constant({count, z}, 0.0f), tape.constant({count, z}, 1.0f));
  Var out = prior_network_->forward(condition);
  return nn::Normal::from_log_variance(slice(out, 1, 0, z), slice(out, 1, z, z));
}

std::unique_ptr<nn::Normal> Vae::prior(Tape& tape, Var condition, int64_t count) {
  return std::make_unique<nn::Normal>(prior_value(tape, condition, count));
}

Var Vae::decode(Var z, Var condition) {
  ModuleScope scope(&decoder_->path());
  return decoder_->forward(with_condition(z, condition));
}

Var Vae::log_likelihood(Var x, Var decoder_output) {
  const int64_t d = config_.inputs;
  switch (config_.likelihood) {
    case Likelihood::bernoulli: return neg(sum(bce_with_logits(decoder_output, x), 1));
    case Likelihood::continuous_bernoulli: return sum(nn::ContinuousBernoulli(decoder_output).log_prob(x), 1);
    case Likelihood::gaussian:
      return neg(sum(gaussian_nll(x, slice(decoder_output, 1, 0, d), slice(decoder_output, 1, d, d)), 1));
  }
  fail("Vae: unknown likelihood");
}

Var Vae::decoder_mean(Var decoder_output) {
  switch (config_.likelihood) {
    case Likelihood::bernoulli: return sigmoid(decoder_output);
    case Likelihood::continuous_bernoulli: return nn::ContinuousBernoulli(decoder_output).mean();
    case Likelihood::gaussian: return slice(decoder_output, 1, 0, config_.inputs);
  }
  fail("Vae: unknown likelihood");
}

// The ELBO's terms, as the module a node ran in names them (pictures of the tape group
// nodes by term): the encoder's and decoder's layers name their own.
const std::string Vae::kReparameterizationTerm = "reparameterization", Vae::kReconstructionTerm = "reconstruction",
                  Vae::kKlTerm = "kl", Vae::kLossTerm = "loss";

ElboTerms Vae::elbo(Var x, Var condition, Rng& rng, ElboOptions options) {
  Tape& tape = x.tape();
  const int64_t batch = x.shape()[0];
  Encoding encoding = encode(x, condition);
  std::optional<ModuleScope> term(std::in_place, &kReparameterizationTerm);
  PosteriorValue q_value = posterior_value(config_.posterior, encoding.loc, encoding.log_variance);
  nn::LocationScale& q = as_location_scale(q_value);
  Var z = q.rsample(rng);
  Var decoder_output = decode(z, condition);
  term.emplace(&kReconstructionTerm);
  Var reconstruction = neg(mean(log_likelihood(x, decoder_output)));
  term.emplace(&kKlTerm);
  nn::Normal p = prior_value(tape, condition, batch);
  // [N, Z]: analytic for Normal || Normal, else log q(z) - log p(z) at the sample.
  Var kl_elements = nn::has_analytic_kl(q, p) ? nn::kl_divergence(q, p) : sub(q.log_prob(z), p.log_prob(z));
  Var kl_per_dimension = mean(kl_elements, 0);
  Var kl = sum(kl_per_dimension);
  term.emplace(&kLossTerm);
  // Free bits (Kingma et al. 2016): dimensions below the floor get no pressure to shrink.
  Var kl_penalty =
      options.free_bits > 0 ? sum(maximum(kl_per_dimension, tape.constant({config_.latent}, options.free_bits))) : kl;
  Var loss = add(reconstruction, mul(kl_penalty, options.kl_weight));
  return {loss, reconstruction, kl, kl_per_dimension, decoder_output, q.loc()};
}

Var Vae::repeat_rows(Var v, int64_t times) const {
  const int64_t rows = v.shape()[0], width = v.shape()[1];
  return reshape(broadcast_to(reshape(v, {rows, 1, width}), {rows, times, width}), {rows * times, width});
}

Var Vae::log_importance_weights(Var x, Var condition, int64_t samples, Rng& rng) {
  Encoding once = encode(x, condition);
  return log_importance_weights(x, condition, once.loc, once.log_variance, samples, rng);
}

Var Vae::log_importance_weights(Var x, Var condition, Var loc, Var log_variance, int64_t samples, Rng& rng) {
  Tape& tape = x.tape();
  const int64_t n = x.shape()[0];
  check(loc.shape() == Shape{n, config_.latent} && log_variance.shape() == loc.shape(), "Vae: posterior parameters ",
        loc.shape(), " and ", log_variance.shape(), " do not fit a batch of ", n, " with Z=", config_.latent);
  // Each row's posterior parameters repeated K times.
  std::unique_ptr<nn::LocationScale> q = make_posterior(repeat_rows(loc, samples), repeat_rows(log_variance, samples));
  Var repeated_condition = config_.conditions > 0 ? repeat_rows(condition, samples) : Var();
  std::unique_ptr<nn::Normal> p = prior(tape, repeated_condition, n * samples);
  Var z = q->rsample(rng);
  Var log_w = add(log_likelihood(repeat_rows(x, samples), decode(z, repeated_condition)),
                  sum(sub(p->log_prob(z), q->log_prob(z)), 1));
  return reshape(log_w, {n, samples});
}

double negative_log_likelihood(Vae& vae, ImageRows data, int64_t samples, Rng& rng, int64_t rows) {
  check(samples > 0, "negative_log_likelihood: ", samples, " importance samples");
  NoGradGuard no_grad;
  Tape tape;
  const int64_t d = vae.config().inputs, c = vae.config().conditions;
  // Several images per evaluation when K is small; K split into chunks when it is large.
  const int64_t chunk = std::min(samples, rows), images_per_step = std::max<int64_t>(1, rows / samples);
  std::vector<double> running_max, running_sum;
  double total = 0;
  for (int64_t first = 0; first < data.count; first += images_per_step) {
    const int64_t g = std::min(images_per_step, data.count - first);
    // Streaming log-sum-exp per image: a running max and a scaled sum, in double.
    running_max.assign(static_cast<size_t>(g), -std::numeric_limits<double>::infinity());
    running_sum.assign(static_cast<size_t>(g), 0.0);
    for (int64_t done = 0; done < samples; done += chunk) {
      const int64_t k = std::min(chunk, samples - done);
      tape.clear();
      Var x = tape.input(Shape{g, d}, data.images + first * d);
      Var condition = c > 0 ? tape.input(Shape{g, c}, data.conditions + first * c) : Var();
      Var log_w = vae.log_importance_weights(x, condition, k, rng);
      for (int64_t i = 0; i < g; ++i)
        for (int64_t j = 0; j < k; ++j) {
          double w = log_w.data()[i * k + j];
          double& m = running_max[static_cast<size_t>(i)];
          double& s = running_sum[static_cast<size_t>(i)];
          if (w > m) {
            s = s * std::exp(m - w) + 1;
            m = w;
          } else {
            s += std::exp(w - m);
          }
        }
    }
    for (int64_t i = 0; i < g; ++i)
      total += -(running_max[static_cast<size_t>(i)] + std::log(running_sum[static_cast<size_t>(i)]) -
                 std::log(static_cast<double>(samples)));
  }
  return total / static_cast<double>(data.count);
}

}  // namespace aevb::models
