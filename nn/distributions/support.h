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

// Standard draws by inverting the cdf at u ~ U(0, 1), for the location-scale families
// and the Concrete relaxations built on them.
inline float draw_standard_gumbel(Rng& rng) { return -std::log(-std::log(rng.uniform())); }  // -log(-log u)
inline float draw_standard_logistic(Rng& rng) {  // logit(u) = log u - log(1 - u)
  const float u = rng.uniform();
  return std::log(u) - std::log1p(-u);
}

// A draw from Gamma(a, 1) (Marsaglia & Tsang; defined in gamma.cpp), for the families
// built on it (Gamma, Beta, ChiSquared, StudentT).
double draw_standard_gamma(double a, Rng& rng);
double draw_log_standard_gamma(double a, Rng& rng);  // its log, exact where the value underflows

// --- densities on a support ------------------------------------------------------
// A log density is evaluated only where x lies in the support, and is -inf (a cdf 0 or
// 1) elsewhere, with no gradient there: outside, the density is 0 whatever the
// parameters. The body never sees an x outside (where log x would be NaN), and at the
// ends 0 log 0 counts as 0 (xlogy), so a density that is finite at an end (a shape of
// exactly 1) gets its value there. A NaN x stays NaN.

// x where inside(x), `interior` elsewhere;  dx += dy inside, 0 elsewhere
template <class Inside>
Var inside_or(Var x, Inside inside, float interior) {
  return unary_op(
      "inside_support", x, [inside, interior](float v) { return inside(v) || std::isnan(v) ? v : interior; },
      [inside](float dy, float v, float) { return inside(v) ? dy : 0.0f; });
}

// value where inside(x), `outside` elsewhere (NaN where x is NaN);
// dvalue += dy where x is inside and the value finite, 0 elsewhere (at an end where the
// log density is -inf or +inf no gradient means anything, and the chain rule would
// multiply an infinite slope by 0);  dx += 0 (the support does not move with x)
template <class Inside>
Var restrict_to_support(Var value, Var x, Inside inside, float outside) {
  return binary_op(
      "restrict_to_support", value, x,
      [inside, outside](float v, float at) { return std::isnan(at) ? at : inside(at) ? v : outside; },
      [inside](float dy, float v, float at, float) { return inside(at) && std::isfinite(v) ? dy : 0.0f; },
      [](float, float, float, float) { return 0.0f; });
}

// y = k log x, and 0 where k = 0 (0 log 0 = 0);  dk += dy log x;  dx += dy k / x (0 where k = 0)
inline Var xlogy(Var k, Var x) {
  return binary_op(
      "xlogy", k, x, [](float kv, float xv) { return kv == 0.0f ? 0.0f : kv * std::log(xv); },
      [](float dy, float, float xv, float) { return dy == 0.0f ? 0.0f : dy * std::log(xv); },
      [](float dy, float kv, float xv, float) { return kv == 0.0f || dy == 0.0f ? 0.0f : dy * kv / xv; });
}

// y = k log(1 + u), and 0 where k = 0;  dk += dy log(1 + u);  du += dy k / (1 + u) (0 where k = 0)
inline Var xlog1py(Var k, Var u) {
  return binary_op(
      "xlog1py", k, u, [](float kv, float uv) { return kv == 0.0f ? 0.0f : kv * std::log1p(uv); },
      [](float dy, float, float uv, float) { return dy == 0.0f ? 0.0f : dy * std::log1p(uv); },
      [](float dy, float kv, float uv, float) { return kv == 0.0f || dy == 0.0f ? 0.0f : dy * kv / (1.0f + uv); });
}

// y = r^k for r >= 0, k > 0 (0^k = 0);  dr += dy k r^(k-1);  dk += dy y log r (0 where r = 0)
inline Var power_nonnegative(Var r, Var k) {
  return binary_op(
      "power_nonnegative", r, k, [](float rv, float kv) { return rv == 0.0f ? 0.0f : std::pow(rv, kv); },
      [](float dy, float rv, float kv, float) {
        return dy == 0.0f   ? 0.0f
               : rv == 0.0f ? (kv == 1.0f  ? dy
                               : kv > 1.0f ? 0.0f
                                           : dy * std::numeric_limits<float>::infinity())
                            : dy * kv * std::pow(rv, kv - 1.0f);
      },
      [](float dy, float rv, float, float y) { return rv == 0.0f || dy == 0.0f ? 0.0f : dy * y * std::log(rv); });
}

// The supports the families use.
inline bool on_half_line(float x) { return x >= 0.0f && x < std::numeric_limits<float>::infinity(); }  // [0, inf)
inline bool on_open_half_line(float x) { return x > 0.0f && x < std::numeric_limits<float>::infinity(); }  // (0, inf)
inline bool on_unit_interval(float x) { return x >= 0.0f && x <= 1.0f; }  // [0, 1]

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
