#include "models/inference/ais.h"

#include <chrono>
#include <cmath>

#include "autodiff/error.h"
#include "models/inference/hmc.h"
#include "models/inference/statistics.h"

namespace aevb::models::inference {

std::vector<double> sigmoid_schedule(int64_t steps) {
  check(steps >= 1, "sigmoid_schedule: ", steps, " steps");
  constexpr double radius = 4;  // the sigmoid over [-4, 4], rescaled to run from 0 to 1 exactly
  auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  const double low = sigmoid(-radius), high = sigmoid(radius);
  std::vector<double> beta(static_cast<size_t>(steps + 1));
  for (int64_t t = 0; t <= steps; ++t)
    beta[size_t(t)] = (sigmoid(-radius + 2 * radius * double(t) / double(steps)) - low) / (high - low);
  beta.front() = 0;
  beta.back() = 1;
  return beta;
}

namespace {

// One annealing run of `chains` chains per image. With `adapt`, each chain's step size
// moves by 2% per step toward the target acceptance, and `schedule` [T, N] receives each
// image's mean step size at every step; without, the steps come from `schedule`.
void anneal(LatentTarget& target, const AisOptions& options, int64_t chains, bool adapt, std::vector<double>& schedule,
            std::vector<double>& log_w, std::vector<double>& accepted_count, Rng& rng, const ProgressFn& progress) {
  const int64_t n = target.images(), rows = n * chains, dimension = target.dimension();
  const std::vector<double> beta = sigmoid_schedule(options.steps);
  Tensor z = Tensor::normal({rows, dimension}, rng);  // exact draws from p(z) = N(0, I)
  TargetValues values;
  target.evaluate(z, beta[0], true, values);
  log_w.assign(static_cast<size_t>(rows), 0.0);
  accepted_count.assign(static_cast<size_t>(rows), 0.0);
  std::vector<double> step(static_cast<size_t>(rows), options.initial_step_size), probability;
  std::vector<bool> accepted;
  if (adapt) schedule.assign(static_cast<size_t>(options.steps * n), 0.0);
  for (int64_t t = 1; t <= options.steps; ++t) {
    for (int64_t r = 0; r < rows; ++r) {
      log_w[size_t(r)] += (beta[size_t(t)] - beta[size_t(t - 1)]) * values.log_likelihood[size_t(r)];
      if (!adapt) step[size_t(r)] = schedule[size_t((t - 1) * n + r / chains)];
    }
    // The gradient held in `values` must be f_t's: evaluate again at the new beta (one
    // evaluation more per step, against leapfrog_steps in the transition).
    target.evaluate(z, beta[size_t(t)], true, values);
    hmc_transition(target, beta[size_t(t)], z, values, step, options.leapfrog_steps, rng, accepted, probability);
    for (int64_t r = 0; r < rows; ++r) {
      accepted_count[size_t(r)] += accepted[size_t(r)] ? 1 : 0;
      if (!adapt) continue;
      schedule[size_t((t - 1) * n + r / chains)] += step[size_t(r)] / double(chains);
      step[size_t(r)] *= probability[size_t(r)] > options.target_acceptance ? 1.02 : 0.98;
    }
    if (progress) progress(t, options.steps);
  }
}

}  // namespace

AisEstimate run_ais(LatentTarget& target, const AisOptions& options, Rng& rng, const ProgressFn& progress) {
  check(options.steps >= 1 && options.chains >= 1 && options.pilot_chains >= 1 && options.leapfrog_steps >= 1 &&
            options.initial_step_size > 0,
        "run_ais: bad options");
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = target.images(), chains = options.chains;
  // The pilot run's cost counts as a share of the steps: (pilot + chains) per image in all.
  const int64_t total = options.steps * (options.pilot_chains + chains);
  auto part = [&](int64_t offset, int64_t weight) {
    return [&, offset, weight](int64_t done, int64_t) {
      if (progress) progress(offset + done * weight, total);
    };
  };
  std::vector<double> schedule, log_w, accepted_count;
  anneal(target, options, options.pilot_chains, true, schedule, log_w, accepted_count, rng,
         part(0, options.pilot_chains));
  anneal(target, options, chains, false, schedule, log_w, accepted_count, rng,
         part(options.steps * options.pilot_chains, chains));
  AisEstimate estimate;
  for (int64_t i = 0; i < n; ++i) {
    const LogMeanExp m = log_mean_exp({log_w.data() + i * chains, static_cast<size_t>(chains)});
    estimate.log_marginal.push_back(m.value);
    estimate.standard_error.push_back(m.standard_error);
    double a = 0;
    for (int64_t c = 0; c < chains; ++c) a += accepted_count[size_t(i * chains + c)];
    estimate.acceptance.push_back(a / double(chains * options.steps));
  }
  estimate.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return estimate;
}

}  // namespace aevb::models::inference
