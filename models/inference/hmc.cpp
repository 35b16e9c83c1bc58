#include "models/inference/hmc.h"

#include <chrono>
#include <cmath>

#include "autodiff/error.h"

namespace aevb::models::inference {

StepSizeAdaptation::StepSizeAdaptation(double initial_step_size, double target_acceptance)
    : mu_(std::log(10 * initial_step_size)), target_(target_acceptance), step_size_(initial_step_size) {}

void StepSizeAdaptation::update(double acceptance_probability) {
  constexpr double gamma = 0.05, t0 = 10, kappa = 0.75;
  ++t_;
  const double t = static_cast<double>(t_);
  h_bar_ = (1 - 1 / (t + t0)) * h_bar_ + (target_ - acceptance_probability) / (t + t0);
  const double log_step = mu_ - std::sqrt(t) / gamma * h_bar_;
  const double eta = std::pow(t, -kappa);
  log_step_bar_ = eta * log_step + (1 - eta) * log_step_bar_;
  step_size_ = std::exp(log_step);
}

double StepSizeAdaptation::final_step_size() const { return t_ == 0 ? step_size_ : std::exp(log_step_bar_); }

double hamiltonian(const TargetValues& values, double beta, const Tensor& momentum, int64_t r) {
  const int64_t z = momentum.shape()[1];
  double kinetic = 0;
  for (int64_t j = 0; j < z; ++j) kinetic += 0.5 * double(row(momentum, r)[j]) * row(momentum, r)[j];
  return -values.log_density(r, beta) + kinetic;
}

void leapfrog(LatentTarget& target, double beta, Tensor& z, Tensor& momentum, TargetValues& values,
              std::span<const double> step_size, int steps) {
  const int64_t rows = z.shape()[0], dimension = z.shape()[1];
  check(int64_t(step_size.size()) == rows && momentum.shape() == z.shape(), "leapfrog: ", rows, " rows, ",
        step_size.size(), " step sizes, momentum ", momentum.shape());
  auto kick = [&](double fraction) {  // p += fraction e grad log f(z)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < dimension; ++j)
        row(momentum, r)[j] += static_cast<float>(fraction * step_size[size_t(r)] * row(values.gradient, r)[j]);
  };
  kick(0.5);
  for (int s = 0; s < steps; ++s) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < dimension; ++j)
        row(z, r)[j] += static_cast<float>(step_size[size_t(r)] * row(momentum, r)[j]);
    target.evaluate(z, beta, true, values);
    kick(s + 1 < steps ? 1.0 : 0.5);
  }
}

void hmc_transition(LatentTarget& target, double beta, Tensor& z, TargetValues& values,
                    std::span<const double> step_size, int leapfrog_steps, Rng& rng, std::vector<bool>& accepted,
                    std::vector<double>& acceptance_probability) {
  const int64_t rows = z.shape()[0];
  Tensor momentum = Tensor::normal(z.shape(), rng);
  std::vector<double> start_energy(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) start_energy[size_t(r)] = hamiltonian(values, beta, momentum, r);
  Tensor proposal = z;
  TargetValues proposed = values;
  leapfrog(target, beta, proposal, momentum, proposed, step_size, leapfrog_steps);
  accepted.assign(static_cast<size_t>(rows), false);
  acceptance_probability.assign(static_cast<size_t>(rows), 0.0);
  const int64_t dimension = z.shape()[1];
  for (int64_t r = 0; r < rows; ++r) {
    const double change = start_energy[size_t(r)] - hamiltonian(proposed, beta, momentum, r);
    // A diverging trajectory (inf or NaN energy) is rejected.
    const double probability = std::isfinite(change) ? std::min(1.0, std::exp(change)) : 0.0;
    acceptance_probability[size_t(r)] = probability;
    if (rng.uniform() < probability) {
      accepted[size_t(r)] = true;
      std::copy(row(proposal, r), row(proposal, r) + dimension, row(z, r));
      std::copy(row(proposed.gradient, r), row(proposed.gradient, r) + dimension, row(values.gradient, r));
      values.log_prior[size_t(r)] = proposed.log_prior[size_t(r)];
      values.log_likelihood[size_t(r)] = proposed.log_likelihood[size_t(r)];
    }
  }
}

ChainRun run_hmc(LatentTarget& target, const Tensor& initial, const HmcOptions& options, Rng& rng,
                 const ProgressFn& progress) {
  check(options.warmup >= 0 && options.samples >= 1 && options.leapfrog_steps >= 1 && options.initial_step_size > 0 &&
            options.target_acceptance > 0 && options.target_acceptance < 1,
        "run_hmc: bad options");
  const auto start = std::chrono::steady_clock::now();
  const int64_t rows = initial.shape()[0], dimension = initial.shape()[1];
  Tensor z = initial;
  TargetValues values;
  target.evaluate(z, options.beta, true, values);
  std::vector<StepSizeAdaptation> adaptation(static_cast<size_t>(rows),
                                             StepSizeAdaptation(options.initial_step_size, options.target_acceptance));
  std::vector<double> step(static_cast<size_t>(rows), options.initial_step_size), jittered = step;
  ChainRun run;
  run.samples = Tensor({options.samples, rows, dimension});
  run.acceptance.assign(static_cast<size_t>(rows), 0.0);
  std::vector<bool> accepted;
  std::vector<double> probability;
  const int64_t total = options.warmup + options.samples;
  for (int64_t iteration = 0; iteration < total; ++iteration) {
    const bool warming_up = iteration < options.warmup;
    // Each iteration's step is jittered by up to 20% (Neal 2011, section 5.4.2.2): a fixed
    // trajectory length can come close to a period of the dynamics in some direction
    // (exactly so for a Gaussian), where the chain would then barely move.
    const double jitter = 0.8 + 0.4 * rng.uniform();
    for (int64_t r = 0; r < rows; ++r) jittered[size_t(r)] = step[size_t(r)] * jitter;
    hmc_transition(target, options.beta, z, values, jittered, options.leapfrog_steps, rng, accepted, probability);
    for (int64_t r = 0; r < rows; ++r) {
      StepSizeAdaptation& a = adaptation[size_t(r)];
      if (warming_up) {
        a.update(probability[size_t(r)]);
        step[size_t(r)] = iteration + 1 < options.warmup ? a.step_size() : a.final_step_size();
      } else {
        run.acceptance[size_t(r)] += accepted[size_t(r)] ? 1.0 / double(options.samples) : 0.0;
      }
    }
    if (!warming_up)
      std::copy(z.data(), z.data() + rows * dimension,
                run.samples.data() + (iteration - options.warmup) * rows * dimension);
    if (progress) progress(iteration + 1, total);
  }
  run.step_size = step;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace aevb::models::inference
