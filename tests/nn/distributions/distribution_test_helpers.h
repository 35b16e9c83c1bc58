// Shared by the tests of nn/distributions: the location-scale families with their
// closed forms, and the Monte Carlo checks (moments with their standard errors, the
// Kolmogorov-Smirnov statistic). Tolerances are 5 standard errors of the estimate,
// computed from the same draws, so a correct family fails with probability below 1e-6
// and the seeds are fixed.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "autodiff/autodiff.h"
#include "autodiff/kernels/special_functions.h"
#include "nn/distributions/distributions.h"
#include "nn/optimizer.h"

namespace aevb::testing::distributions {

using namespace aevb;
using namespace aevb::nn;

constexpr double kPi = std::numbers::pi;
constexpr int64_t kDraws = 100000;
// Kolmogorov-Smirnov: the 0.1% critical value of sqrt(n) D is 1.949.
inline const double kKsCritical = 1.949 / std::sqrt(static_cast<double>(kDraws));

// A location-scale family at (loc, scale), with its closed forms in double.
struct Family {
  const char* name;
  std::function<std::unique_ptr<LocationScale>(Var loc, Var scale)> make;
  std::function<double(double z)> standard_log_density;
  std::function<double(double z)> standard_cdf;
  bool finite_moments;
  double standard_mean, standard_variance;
};

inline std::vector<Family> location_scale_families() {
  return {
      {"Normal", [](Var l, Var s) { return std::make_unique<Normal>(l, s); },
       [](double z) { return -0.5 * z * z - 0.5 * std::log(2 * kPi); },
       [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }, true, 0.0, 1.0},
      {"Laplace", [](Var l, Var s) { return std::make_unique<Laplace>(l, s); },
       [](double z) { return -std::fabs(z) - std::log(2.0); },
       [](double z) { return z < 0 ? 0.5 * std::exp(z) : 1 - 0.5 * std::exp(-z); }, true, 0.0, 2.0},
      {"Logistic", [](Var l, Var s) { return std::make_unique<Logistic>(l, s); },
       [](double z) { return -z - 2 * std::log1p(std::exp(-z)); }, [](double z) { return 1 / (1 + std::exp(-z)); },
       true, 0.0, kPi * kPi / 3},
      {"Cauchy", [](Var l, Var s) { return std::make_unique<Cauchy>(l, s); },
       [](double z) { return -std::log(kPi) - std::log1p(z * z); }, [](double z) { return 0.5 + std::atan(z) / kPi; },
       false, 0.0, 0.0},
      {"Gumbel", [](Var l, Var s) { return std::make_unique<Gumbel>(l, s); },
       [](double z) { return -(z + std::exp(-z)); }, [](double z) { return std::exp(-std::exp(-z)); }, true,
       std::numbers::egamma, kPi * kPi / 6},
      {"StudentT(5)", [](Var l, Var s) { return std::make_unique<StudentT>(5.0f, l, s); },
       [](double z) {
         return std::lgamma(3.0) - std::lgamma(2.5) - 0.5 * std::log(5 * kPi) - 3.0 * std::log1p(z * z / 5);
       },
       [](double z) {
         double tail = 0.5 * aevb::kernels::regularized_beta(5 / (5 + z * z), 2.5, 0.5);
         return z > 0 ? 1 - tail : tail;
       },
       true, 0.0, 5.0 / 3.0},
      {"Uniform", [](Var l, Var s) { return std::make_unique<Uniform>(l, add(l, s)); },
       [](double z) { return z >= 0 && z <= 1 ? 0.0 : -INFINITY; }, [](double z) { return std::clamp(z, 0.0, 1.0); },
       true, 0.5, 1.0 / 12},
  };
}

constexpr float kLoc = 0.7f, kScale = 1.3f;

// A batch of n identical distributions whose parameters are leaves with gradients, one
// element per draw: each draw's gradient stays separate, and the test sums them in
// double (a float sum over 100,000 draws would add its own rounding, about 1e-3).
struct Batch {
  Parameter loc, scale;
  Tape tape;
  Var loc_var, scale_var;
  explicit Batch(int64_t n) : loc("loc", Tensor::full({n}, kLoc)), scale("scale", Tensor::full({n}, kScale)) {
    loc_var = tape.param(loc);
    scale_var = tape.param(scale);
  }
  static double total(const Parameter& p) {
    double sum = 0;
    for (float g : p.grad().values()) sum += g;
    return sum;
  }
};

struct Summary {
  double mean, standard_error;
};
inline Summary summarize(const std::vector<double>& values) {
  double sum = 0, squares = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size() - 1) / static_cast<double>(values.size()))};
}

inline double ks_statistic(std::vector<double> draws, const std::function<double(double)>& cdf) {
  std::sort(draws.begin(), draws.end());
  double worst = 0;
  const double n = static_cast<double>(draws.size());
  for (size_t i = 0; i < draws.size(); ++i) {
    double f = cdf(draws[i]);
    worst = std::max({worst, std::fabs(f - static_cast<double>(i) / n), std::fabs(static_cast<double>(i + 1) / n - f)});
  }
  return worst;
}

}  // namespace aevb::testing::distributions
