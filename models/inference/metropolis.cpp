#include "models/inference/metropolis.h"

#include <chrono>
#include <cmath>

#include "autodiff/error.h"

namespace aevb::models::inference {

ChainRun run_metropolis(LatentTarget& target, const Tensor& initial, const MetropolisOptions& options, Rng& rng,
                        const ProgressFn& progress) {
  check(options.warmup >= 0 && options.samples >= 1 && options.initial_scale > 0 && options.target_acceptance > 0 &&
            options.target_acceptance < 1,
        "run_metropolis: bad options");
  const auto start = std::chrono::steady_clock::now();
  const int64_t rows = initial.shape()[0], dimension = initial.shape()[1];
  Tensor z = initial, proposal(initial.shape());
  TargetValues current, proposed;
  target.evaluate(z, 1.0, false, current);
  std::vector<double> log_scale(static_cast<size_t>(rows), std::log(options.initial_scale));
  ChainRun run;
  run.samples = Tensor({options.samples, rows, dimension});
  run.acceptance.assign(static_cast<size_t>(rows), 0.0);
  const int64_t total = options.warmup + options.samples;
  for (int64_t iteration = 0; iteration < total; ++iteration) {
    const bool warming_up = iteration < options.warmup;
    for (int64_t r = 0; r < rows; ++r) {
      const double scale = std::exp(log_scale[size_t(r)]);
      for (int64_t j = 0; j < dimension; ++j)
        row(proposal, r)[j] = row(z, r)[j] + static_cast<float>(scale * rng.normal());
    }
    target.evaluate(proposal, 1.0, false, proposed);
    for (int64_t r = 0; r < rows; ++r) {
      const double change = proposed.log_density(r, 1) - current.log_density(r, 1);
      const double probability = std::isfinite(change) ? std::min(1.0, std::exp(change)) : 0.0;
      const bool accept = rng.uniform() < probability;
      if (accept) {
        std::copy(row(proposal, r), row(proposal, r) + dimension, row(z, r));
        current.log_prior[size_t(r)] = proposed.log_prior[size_t(r)];
        current.log_likelihood[size_t(r)] = proposed.log_likelihood[size_t(r)];
      }
      if (warming_up)  // Robbins-Monro: gains 1 / t^0.6 sum to infinity, their squares do not
        log_scale[size_t(r)] += (probability - options.target_acceptance) / std::pow(iteration + 1.0, 0.6);
      else
        run.acceptance[size_t(r)] += accept ? 1.0 / double(options.samples) : 0.0;
    }
    if (!warming_up)
      std::copy(z.data(), z.data() + rows * dimension,
                run.samples.data() + (iteration - options.warmup) * rows * dimension);
    if (progress) progress(iteration + 1, total);
  }
  for (double s : log_scale) run.step_size.push_back(std::exp(s));
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace aevb::models::inference
