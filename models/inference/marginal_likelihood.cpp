#include "models/inference/marginal_likelihood.h"

#include <chrono>
#include <cmath>
#include <numbers>

#include "autodiff/error.h"
#include "models/inference/statistics.h"

namespace aevb::models::inference {
namespace {

// A Gaussian's log density from its mean and covariance, through a Cholesky factor.
class FittedGaussian {
 public:
  explicit FittedGaussian(const Moments& m) : mean_(m.mean), dimension_(int64_t(m.mean.size())) {
    const int64_t z = dimension_;
    lower_.assign(static_cast<size_t>(z * z), 0.0);
    for (int64_t a = 0; a < z; ++a)
      for (int64_t b = 0; b <= a; ++b) {
        double sum = m.covariance[size_t(a * z + b)];
        for (int64_t k = 0; k < b; ++k) sum -= lower_[size_t(a * z + k)] * lower_[size_t(b * z + k)];
        if (a == b) {
          // A degenerate fit (a chain that never moved) gets a tiny floor, not a NaN.
          lower_[size_t(a * z + a)] = std::sqrt(std::max(sum, 1e-12));
        } else {
          lower_[size_t(a * z + b)] = sum / lower_[size_t(b * z + b)];
        }
      }
    log_normalizer_ = -0.5 * double(z) * std::log(2 * std::numbers::pi);
    for (int64_t a = 0; a < z; ++a) log_normalizer_ -= std::log(lower_[size_t(a * z + a)]);
  }
  double log_density(const float* code) const {
    const int64_t z = dimension_;
    std::vector<double> solved(static_cast<size_t>(z));
    double squares = 0;
    for (int64_t a = 0; a < z; ++a) {  // forward substitution: L u = code - mean
      double v = code[a] - mean_[size_t(a)];
      for (int64_t k = 0; k < a; ++k) v -= lower_[size_t(a * z + k)] * solved[size_t(k)];
      solved[size_t(a)] = v / lower_[size_t(a * z + a)];
      squares += solved[size_t(a)] * solved[size_t(a)];
    }
    return log_normalizer_ - 0.5 * squares;
  }

 private:
  std::vector<double> mean_, lower_;
  int64_t dimension_;
  double log_normalizer_ = 0;
};

}  // namespace

MarginalLikelihoodEstimate estimate_marginal_likelihood(LatentTarget& target, const Tensor& initial,
                                                        const MarginalLikelihoodOptions& options, Rng& rng,
                                                        const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = target.images(), z = target.dimension(), chains = options.chains;
  check(initial.shape() == Shape{n * chains, z}, "estimate_marginal_likelihood: initial codes ", initial.shape(),
        " are not [", n * chains, ", ", z, "]");
  const int64_t total = 2 * (options.hmc.warmup + options.hmc.samples);
  auto half = [&](int64_t offset) {
    return [&, offset](int64_t done, int64_t) {
      if (progress) progress(offset + done, total);
    };
  };
  const ChainRun fit = run_hmc(target, initial, options.hmc, rng, half(0));
  // The second draw continues from where the first chains ended.
  const int64_t s = options.hmc.samples;
  Tensor restart({n * chains, z});
  std::copy(fit.samples.data() + (s - 1) * n * chains * z, fit.samples.data() + s * n * chains * z, restart.data());
  HmcOptions again = options.hmc;
  again.initial_step_size = fit.step_size.empty() ? again.initial_step_size : fit.step_size[0];
  const ChainRun fresh = run_hmc(target, restart, again, rng, half(total / 2));
  // Each image's draws from all its chains, grouped by image as the target wants:
  // [N * s * chains, Z], row (i, t, c).
  auto by_image = [&](const Tensor& samples) {
    Tensor codes({n * s * chains, z});
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < s; ++t)
        for (int64_t c = 0; c < chains; ++c) {
          const float* from = samples.data() + ((t * n + i) * chains + c) * z;  // samples [S, R, Z]
          std::copy(from, from + z, row(codes, (i * s + t) * chains + c));
        }
    return codes;
  };
  const Tensor fitted = by_image(fit.samples), evaluated = by_image(fresh.samples);
  TargetValues values;
  target.evaluate(evaluated, 1.0, false, values);
  MarginalLikelihoodEstimate estimate;
  const int64_t per_image = s * chains;
  std::vector<double> terms(static_cast<size_t>(per_image));
  for (int64_t i = 0; i < n; ++i) {
    const FittedGaussian q(sample_moments(row(fitted, i * per_image), per_image, z, z));
    for (int64_t l = 0; l < per_image; ++l)
      terms[size_t(l)] = q.log_density(row(evaluated, i * per_image + l)) - values.log_density(i * per_image + l, 1);
    const LogMeanExp inverse = log_mean_exp(terms);  // log (1 / p(x))
    estimate.log_marginal.push_back(-inverse.value);
    estimate.standard_error.push_back(inverse.standard_error);
  }
  estimate.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return estimate;
}

}  // namespace aevb::models::inference
