// The continuous Bernoulli (Loaiza-Ganem & Cunningham 2019): on [0, 1],
//   p(x | l) = C(l) l^x (1 - l)^(1 - x),  C(l) = 2 atanh(1 - 2l) / (1 - 2l),
// with logits eta (l = sigmoid(eta)): C = eta / tanh(eta / 2).
#include <cmath>

#include "nn/distributions/continuous_bernoulli.h"
#include "nn/distributions/support.h"

namespace aevb::nn {
namespace {
// Below this |eta| the closed forms lose digits (0/0 at eta = 0); the series are exact
// to float precision there.
constexpr double kSeriesBelow = 1e-2;
}  // namespace

// y = log(eta / tanh(eta / 2)), series log 2 + eta^2/12 - 7 eta^4/1440 near 0
//   deta += dy (1/eta - 1/sinh eta), series eta/6 - 7 eta^3/360 near 0
Var continuous_bernoulli_log_normalizer(Var logits) {
  return unary_op(
      "continuous_bernoulli_log_normalizer", logits,
      [](float v) {
        double eta = v;
        if (std::fabs(eta) < kSeriesBelow)
          return static_cast<float>(std::log(2.0) + eta * eta / 12 - 7 * eta * eta * eta * eta / 1440);
        return static_cast<float>(std::log(std::fabs(eta)) - std::log(std::fabs(std::tanh(eta / 2))));
      },
      [](float dy, float v, float) {
        double eta = v;
        if (std::fabs(eta) < kSeriesBelow) return dy * static_cast<float>(eta / 6 - 7 * eta * eta * eta / 360);
        return dy * static_cast<float>(1 / eta - 1 / std::sinh(eta));
      });
}

ContinuousBernoulli::ContinuousBernoulli(Var logits) : logits_(logits) {}

namespace {

// F(x) = (e^(eta x) - 1) / (e^eta - 1) = expm1(eta x) / expm1(eta), x at eta = 0; for eta > 0
// as e^(eta (x - 1)) expm1(-eta x) / expm1(-eta), which cannot overflow. Exact in double
// for every eta != 0 (expm1 keeps its digits), so no series is needed for the value.
double cdf_of(double x, double eta) {
  if (eta == 0) return x;
  if (eta > 0) return std::exp(eta * (x - 1)) * std::expm1(-eta * x) / std::expm1(-eta);
  return std::expm1(eta * x) / std::expm1(eta);
}
// dF/dx = p(x) = eta e^(eta x) / (e^eta - 1) = C(eta) sigmoid(eta)^x (1 - sigmoid(eta))^(1 - x)
double density_of(double x, double eta) {
  if (std::fabs(eta) < 1e-8) return 1 + eta * (x - 0.5);
  if (eta > 0) return eta * std::exp(eta * (x - 1)) / -std::expm1(-eta);
  return eta * std::exp(eta * x) / std::expm1(eta);
}
// dF/deta = (x e^(eta x) (e^eta - 1) - (e^(eta x) - 1) e^eta) / (e^eta - 1)^2, by its series
// x (x - 1) / 2 + eta x (x - 1) (2x - 1) / 6 near 0, where the difference cancels.
double cdf_slope_in_eta(double x, double eta) {
  if (std::fabs(eta) < kSeriesBelow) return x * (x - 1) / 2 + eta * x * (x - 1) * (2 * x - 1) / 6;
  if (eta > 0) {  // F = e^(eta (x-1)) N / M, N = 1 - e^(-eta x), M = 1 - e^(-eta): every term bounded
    const double n = -std::expm1(-eta * x), m = -std::expm1(-eta), front = std::exp(eta * (x - 1));
    return (x - 1) * front * n / m + front * (x * std::exp(-eta * x) * m - n * std::exp(-eta)) / (m * m);
  }
  const double m = std::expm1(eta);
  return (x * std::exp(eta * x) * m - std::expm1(eta * x) * std::exp(eta)) / (m * m);
}
// x = F^-1(u) = log1p(u (e^eta - 1)) / eta, = 1 + log(u + (1 - u) e^-eta) / eta for eta > 0.
double icdf_of(double u, double eta) {
  if (eta == 0) return u;
  if (eta > 0) return 1 + std::log(u + (1 - u) * std::exp(-eta)) / eta;
  return std::log1p(u * std::expm1(eta)) / eta;
}

}  // namespace

Tensor ContinuousBernoulli::sample(Rng& rng) {
  Tensor draws(logits_.shape());
  const float* l = logits_.data();
  for (int64_t i = 0; i < draws.numel(); ++i) draws[i] = static_cast<float>(icdf_of(rng.uniform(), l[i]));
  return draws;
}

// z = F^-1(u; eta) with u a noise leaf: dz/deta from icdf's derivative.
Var ContinuousBernoulli::rsample(Rng& rng) {
  Var u = logits_.tape().noise(logits_.shape());
  float* draws = logits_.tape().value_buffer(u);
  for (int64_t i = 0; i < u.numel(); ++i) draws[i] = rng.uniform();
  return icdf(u);
}

// F(x) on [0, 1] (0 below, 1 above);  dx += dy p(x);  deta += dy dF/deta
Var ContinuousBernoulli::cdf(Var x) {
  Var at = clamp(x, 0.0f, 1.0f);
  return binary_op(
      "continuous_bernoulli_cdf", at, logits_, [](float xv, float eta) { return static_cast<float>(cdf_of(xv, eta)); },
      [](float dy, float xv, float eta, float) { return dy * static_cast<float>(density_of(xv, eta)); },
      [](float dy, float xv, float eta, float) { return dy * static_cast<float>(cdf_slope_in_eta(xv, eta)); });
}

// x = F^-1(u);  du += dy / p(x);  deta += dy (-(dF/deta) / p(x)) at x (the implicit function theorem)
Var ContinuousBernoulli::icdf(Var u) {
  return binary_op(
      "continuous_bernoulli_icdf", u, logits_, [](float uv, float eta) { return static_cast<float>(icdf_of(uv, eta)); },
      [](float dy, float uv, float eta, float) {
        return dy * static_cast<float>(1 / density_of(icdf_of(uv, eta), eta));
      },
      [](float dy, float uv, float eta, float) {
        const double xv = icdf_of(uv, eta);
        return dy * static_cast<float>(-cdf_slope_in_eta(xv, eta) / density_of(xv, eta));
      });
}

// H = -E log p(x) = -log C(eta) - eta E x + softplus(eta)  (log p = log C + eta x - softplus(eta))
Var ContinuousBernoulli::entropy() {
  return add(sub(neg(continuous_bernoulli_log_normalizer(logits_)), mul(logits_, mean())), softplus(logits_));
}

// Var x = 1/eta^2 - 1 / (4 sinh^2(eta / 2)), series 1/12 - eta^2/240 + eta^4/6048 near 0
//   deta += dy (-2/eta^3 + cosh(eta/2) / (4 sinh^3(eta/2))), series -eta/120 + eta^3/1512
Var ContinuousBernoulli::variance() {
  return unary_op(
      "continuous_bernoulli_variance", logits_,
      [](float v) {
        const double eta = v;
        if (std::fabs(eta) < kSeriesBelow)
          return static_cast<float>(1.0 / 12 - eta * eta / 240 + eta * eta * eta * eta / 6048);
        const double s = std::sinh(eta / 2);
        return static_cast<float>(1 / (eta * eta) - 1 / (4 * s * s));
      },
      [](float dy, float v, float) {
        const double eta = v;
        if (std::fabs(eta) < kSeriesBelow) return dy * static_cast<float>(-eta / 120 + eta * eta * eta / 1512);
        const double s = std::sinh(eta / 2);
        return dy * static_cast<float>(-2 / (eta * eta * eta) + std::cosh(eta / 2) / (4 * s * s * s));
      });
}

// log p(x) = -bce_with_logits(eta, x) + log C(eta)
Var ContinuousBernoulli::log_prob(Var x) {
  check_within("ContinuousBernoulli", "x", x, 0.0f, 1.0f);
  return add(neg(bce_with_logits(logits_, x)), continuous_bernoulli_log_normalizer(logits_));
}

// E x = 1 / (1 - e^-eta) - 1 / eta, series 1/2 + eta/12 near 0
//   deta += dy (1/eta^2 - e^-eta / (1 - e^-eta)^2), series 1/12 near 0
Var ContinuousBernoulli::mean() {
  return unary_op(
      "continuous_bernoulli_mean", logits_,
      [](float v) {
        double eta = v;
        if (std::fabs(eta) < kSeriesBelow) return static_cast<float>(0.5 + eta / 12);
        return static_cast<float>(-1 / std::expm1(-eta) - 1 / eta);
      },
      [](float dy, float v, float) {
        double eta = v;
        if (std::fabs(eta) < kSeriesBelow) return dy * static_cast<float>(1.0 / 12 - eta * eta / 240);
        double m = std::expm1(-eta);
        return dy * static_cast<float>(1 / (eta * eta) - std::exp(-eta) / (m * m));
      });
}

}  // namespace aevb::nn
