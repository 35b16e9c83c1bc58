// The continuous Bernoulli (Loaiza-Ganem & Cunningham 2019): on [0, 1],
//   p(x | l) = C(l) l^x (1 - l)^(1 - x),  C(l) = 2 atanh(1 - 2l) / (1 - 2l),
// with logits eta (l = sigmoid(eta)): C = eta / tanh(eta / 2).
#include <cmath>

#include "nn/distributions/distributions.h"
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
        if (std::fabs(eta) < kSeriesBelow) return static_cast<float>(std::log(2.0) + eta * eta / 12 - 7 * eta * eta * eta * eta / 1440);
        return static_cast<float>(std::log(std::fabs(eta)) - std::log(std::fabs(std::tanh(eta / 2))));
      },
      [](float dy, float v, float) {
        double eta = v;
        if (std::fabs(eta) < kSeriesBelow) return dy * static_cast<float>(eta / 6 - 7 * eta * eta * eta / 360);
        return dy * static_cast<float>(1 / eta - 1 / std::sinh(eta));
      });
}

ContinuousBernoulli::ContinuousBernoulli(Var logits) : logits_(logits) {}

// x = F^-1(u) = log1p(u (e^eta - 1)) / eta, and u near eta = 0
Tensor ContinuousBernoulli::sample(Rng& rng) {
  Tensor draws(logits_.shape());
  const float* l = logits_.data();
  for (int64_t i = 0; i < draws.numel(); ++i) {
    double eta = l[i], u = rng.uniform();
    draws[i] = static_cast<float>(std::fabs(eta) < 1e-6 ? u : std::log1p(u * std::expm1(eta)) / eta);
  }
  return draws;
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
