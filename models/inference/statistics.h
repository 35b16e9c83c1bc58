// The statistics the inference methods report: log-mean-exp with its standard error,
// sample moments, and the effective sample size of a Markov chain.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "autodiff/tensor.h"

namespace aevb::models::inference {

// log((1/K) sum_k exp(a_k)), computed around the largest term, with the delta-method
// standard error sd(w) / (sqrt(K) mean(w)) of w = exp(a) (0 for K = 1). The error of
// an importance-sampled log p(x); it understates the error when the weights are heavy-
// tailed (a few dominate), which is when it matters most.
struct LogMeanExp {
  double value = 0, standard_error = 0;
};
LogMeanExp log_mean_exp(std::span<const double> a);

struct MeanAndError {
  double mean = 0, standard_error = 0;  // sd / sqrt(n); 0 for n = 1
};
MeanAndError mean_and_error(std::span<const double> values);

// Mean [Z] and covariance [Z, Z] (divided by n - 1) of n codes of Z values, in double.
struct Moments {
  std::vector<double> mean, covariance;
};
Moments sample_moments(const float* codes, int64_t n, int64_t dimension, int64_t stride);

// The effective sample size of one chain x[0, S) (Geyer 1992's initial positive
// sequence: autocorrelations summed in pairs while each pair's sum is positive).
// S / ESS is how many draws the chain needs per independent one.
double effective_sample_size(std::span<const double> chain);

// Of samples [S, R, Z] (S draws of R chains): each chain's ESS, the smallest over its Z
// coordinates.
std::vector<double> chain_effective_sample_sizes(const Tensor& samples);

}  // namespace aevb::models::inference
