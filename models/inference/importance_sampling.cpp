#include "models/inference/importance_sampling.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "autodiff/error.h"
#include "models/inference/statistics.h"

namespace aevb::models::inference {

std::vector<ImportanceBound> importance_weighted_bounds(Vae& vae, const Tensor& images,
                                                        const std::vector<int64_t>& samples, Rng& rng,
                                                        const ProgressFn& progress) {
  check(!samples.empty(), "importance_weighted_bounds: no K");
  for (int64_t k : samples) check(k >= 1, "importance_weighted_bounds: K = ", k);
  const auto start = std::chrono::steady_clock::now();
  const int64_t pool = *std::max_element(samples.begin(), samples.end());
  const int64_t n = images.shape()[0], d = images.shape()[1];
  constexpr int64_t kRows = 20000;  // decoder rows per evaluation
  const int64_t chunk = std::min(pool, kRows);
  std::vector<ImportanceBound> bounds(samples.size());
  for (size_t b = 0; b < samples.size(); ++b) bounds[b].samples = samples[b];
  std::vector<double> log_w(static_cast<size_t>(pool)), blocks;
  NoGradGuard no_grad;
  Tape tape;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t done = 0; done < pool; done += chunk) {
      const int64_t k = std::min(chunk, pool - done);
      tape.clear();
      Var w = vae.log_importance_weights(tape.input({1, d}, images.data() + i * d), Var(), k, rng);
      for (int64_t j = 0; j < k; ++j) log_w[size_t(done + j)] = w.data()[j];
    }
    for (ImportanceBound& bound : bounds) {
      const int64_t k = bound.samples, count = pool / k;
      if (count == 1) {
        const LogMeanExp m = log_mean_exp({log_w.data(), static_cast<size_t>(k)});
        bound.value.push_back(m.value);
        bound.standard_error.push_back(m.standard_error);
        continue;
      }
      blocks.clear();
      for (int64_t c = 0; c < count; ++c) blocks.push_back(log_mean_exp({log_w.data() + c * k, size_t(k)}).value);
      const MeanAndError m = mean_and_error(blocks);
      bound.value.push_back(m.mean);
      bound.standard_error.push_back(m.standard_error);
    }
    if (progress) progress(i + 1, n);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (ImportanceBound& bound : bounds) bound.seconds = seconds * double(bound.samples) / double(pool);
  return bounds;
}

}  // namespace aevb::models::inference
