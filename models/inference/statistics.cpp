#include "models/inference/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/error.h"

namespace aevb::models::inference {

LogMeanExp log_mean_exp(std::span<const double> a) {
  check(!a.empty(), "log_mean_exp: no values");
  const double top = *std::max_element(a.begin(), a.end());
  if (!std::isfinite(top)) return {top, 0};
  const double k = static_cast<double>(a.size());
  double sum = 0, squares = 0;
  for (double v : a) {
    const double w = std::exp(v - top);
    sum += w;
    squares += w * w;
  }
  const double mean = sum / k;
  LogMeanExp result{top + std::log(mean), 0};
  if (a.size() > 1) {
    const double variance = std::max(0.0, (squares - k * mean * mean) / (k - 1));
    result.standard_error = std::sqrt(variance / k) / mean;
  }
  return result;
}

MeanAndError mean_and_error(std::span<const double> values) {
  check(!values.empty(), "mean_and_error: no values");
  const double n = static_cast<double>(values.size());
  double mean = 0;
  for (double v : values) mean += v / n;
  if (values.size() == 1) return {mean, 0};
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / (n - 1) / n)};
}

Moments sample_moments(const float* codes, int64_t n, int64_t dimension, int64_t stride) {
  check(n >= 2, "sample_moments: ", n, " codes (need at least 2)");
  Moments m{std::vector<double>(static_cast<size_t>(dimension), 0.0),
            std::vector<double>(static_cast<size_t>(dimension * dimension), 0.0)};
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < dimension; ++j) m.mean[static_cast<size_t>(j)] += codes[i * stride + j] / double(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < dimension; ++a)
      for (int64_t b = 0; b < dimension; ++b)
        m.covariance[static_cast<size_t>(a * dimension + b)] +=
            (codes[i * stride + a] - m.mean[size_t(a)]) * (codes[i * stride + b] - m.mean[size_t(b)]) / double(n - 1);
  return m;
}

double effective_sample_size(std::span<const double> chain) {
  const int64_t s = static_cast<int64_t>(chain.size());
  if (s < 4) return static_cast<double>(s);
  double mean = 0;
  for (double v : chain) mean += v / double(s);
  auto autocovariance = [&](int64_t lag) {
    double sum = 0;
    for (int64_t t = 0; t + lag < s; ++t) sum += (chain[size_t(t)] - mean) * (chain[size_t(t + lag)] - mean);
    return sum / double(s);
  };
  const double variance = autocovariance(0);
  if (!(variance > 0)) return static_cast<double>(s);  // a chain that never moved: no information to weigh
  // tau = -1 + 2 sum_k Gamma_k, Gamma_k = rho_2k + rho_2k+1, summed while positive and
  // kept non-increasing (Geyer's initial monotone sequence).
  double tau = -1, previous = std::numeric_limits<double>::infinity();
  for (int64_t k = 0; 2 * k + 1 < s; ++k) {
    double pair = (autocovariance(2 * k) + autocovariance(2 * k + 1)) / variance;
    if (pair <= 0) break;
    pair = std::min(pair, previous);
    previous = pair;
    tau += 2 * pair;
  }
  return static_cast<double>(s) / std::max(tau, 1.0 / static_cast<double>(s));
}

std::vector<double> chain_effective_sample_sizes(const Tensor& samples) {
  check(samples.shape().rank() == 3, "chain_effective_sample_sizes: samples ", samples.shape(), " are not [S, R, Z]");
  const int64_t s = samples.shape()[0], r = samples.shape()[1], z = samples.shape()[2];
  std::vector<double> ess(static_cast<size_t>(r), 0.0), chain(static_cast<size_t>(s));
  for (int64_t c = 0; c < r; ++c) {
    double smallest = std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < z; ++j) {
      for (int64_t t = 0; t < s; ++t) chain[size_t(t)] = samples[(t * r + c) * z + j];
      smallest = std::min(smallest, effective_sample_size(chain));
    }
    ess[size_t(c)] = smallest;
  }
  return ess;
}

}  // namespace aevb::models::inference
