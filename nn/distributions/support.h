// Shared pieces of the distribution families: parameter checks, and the elementwise
// ops that express a support (0 inside, -inf outside, no gradient).
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "autodiff/error.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb::nn {

// In anomaly mode, a parameter that is not finite is reported as the op that made it
// (op, node, module), before the family's own check names only the parameter.
inline void check_finite_in_anomaly_mode(Var parameter) {
  if (parameter.tape().anomaly_detection()) parameter.tape().check_finite(parameter.index());
}

// In anomaly mode, where a refused parameter came from; "" otherwise.
inline std::string origin_in_anomaly_mode(Var parameter) {
  if (!parameter.tape().anomaly_detection()) return {};
  return "; anomaly: it was made by " + parameter.tape().describe_origin(parameter.index());
}

// Every value of `parameter` must be positive and finite: "Normal: scale must be
// positive and finite, got -0.5 at index 3".
inline void check_positive(const char* family, const char* name, Var parameter) {
  check_finite_in_anomaly_mode(parameter);
  const float* values = parameter.data();
  for (int64_t i = 0; i < parameter.numel(); ++i)
    if (!(values[i] > 0.0f && std::isfinite(values[i])))
      fail(family, ": ", name, " must be positive and finite, got ", values[i], " at index ", i,
           origin_in_anomaly_mode(parameter));
}

// Every value must lie in [low, high] (data for a likelihood, say).
inline void check_within(const char* family, const char* name, Var values, float low, float high) {
  check_finite_in_anomaly_mode(values);
  const float* v = values.data();
  for (int64_t i = 0; i < values.numel(); ++i)
    if (!(v[i] >= low && v[i] <= high))
      fail(family, ": ", name, " must lie in [", low, ", ", high, "], got ", v[i], " at index ", i,
           origin_in_anomaly_mode(values));
}

// A draw from Gamma(a, 1) (Marsaglia & Tsang; defined in gamma.cpp), for the families
// built on it (Gamma, Beta, ChiSquared, StudentT).
double draw_standard_gamma(double a, Rng& rng);

// y = 0 where x >= 0, -inf below; dx += 0 (a support indicator in log space)
inline Var log_indicator_nonnegative(Var x) {
  return unary_op("log_indicator_nonnegative", x,
                  [](float v) { return v >= 0.0f ? 0.0f : -std::numeric_limits<float>::infinity(); },
                  [](float, float, float) { return 0.0f; });
}

// y = 0 where x >= 0, +inf below; dx += 0 (a KL that is infinite outside a support)
inline Var infinity_unless_nonnegative(Var x) {
  return unary_op("infinity_unless_nonnegative", x,
                  [](float v) { return v >= 0.0f ? 0.0f : std::numeric_limits<float>::infinity(); },
                  [](float, float, float) { return 0.0f; });
}

}  // namespace aevb::nn
