// Beta(a, b): density x^(a-1) (1 - x)^(b-1) / B(a, b) on (0, 1).
#include <algorithm>
#include <cmath>

#include "autodiff/kernels/special_functions.h"
#include "nn/distributions/beta.h"
#include "nn/distributions/gamma.h"
#include "nn/distributions/support.h"

namespace aevb::nn {
namespace {
// dI_x(a, b)/da and /db by central differences of the double-precision I (see gamma.cpp).
double beta_cdf_slope(double x, double a, double b, bool in_a) {
  const double p = in_a ? a : b, h = std::min(1e-5 * std::max(1.0, p), 0.5 * p);
  return in_a ? (kernels::regularized_beta(x, a + h, b) - kernels::regularized_beta(x, a - h, b)) / (2 * h)
              : (kernels::regularized_beta(x, a, b + h) - kernels::regularized_beta(x, a, b - h)) / (2 * h);
}
double beta_density(double x, double a, double b) {
  return std::exp((a - 1) * std::log(x) + (b - 1) * std::log1p(-x) - std::lgamma(a) - std::lgamma(b) +
                  std::lgamma(a + b));
}
}  // namespace

Var log_beta_function(Var a, Var b) { return sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b))); }

Beta::Beta(Var a, Var b) : a_(a), b_(b) {
  check(a.shape() == b.shape(), "Beta: a ", a.shape(), " and b ", b.shape(), " must have the same shape");
  check_positive("Beta", "a", a);
  check_positive("Beta", "b", b);
}

// x = g_a / (g_a + g_b), rounded once: in float, g_a + g_b rounds to g_a once g_b / g_a
// is below 2^-25 to 2^-24, which put twice the mass that belongs there at exactly 1
// (Beta(0.1, 0.1): 9.3% of draws instead of 9.0%).
//   dg_a += dy g_b / (g_a + g_b)^2,  dg_b += -dy g_a / (g_a + g_b)^2
Var beta_from_gammas(Var g_a, Var g_b) {
  return binary_op(
      "beta_from_gammas", g_a, g_b,
      [](float ga, float gb) { return static_cast<float>(static_cast<double>(ga) / (static_cast<double>(ga) + gb)); },
      [](float dy, float ga, float gb, float) {
        const double total = static_cast<double>(ga) + gb;
        return static_cast<float>(dy * (gb / total) / total);
      },
      [](float dy, float ga, float gb, float) {
        const double total = static_cast<double>(ga) + gb;
        return static_cast<float>(-dy * (ga / total) / total);
      });
}

// The gradient reaches a and b through both implicit Gamma draws.
Var Beta::rsample(Rng& rng) {
  Var g_a = standard_gamma_sample(a_, rng), g_b = standard_gamma_sample(b_, rng);
  return beta_from_gammas(g_a, g_b);
}

// log p = (a - 1) log x + (b - 1) log(1 - x) - log B(a, b)
// (a - 1) log x + (b - 1) log(1 - x) - log B(a, b) on [0, 1], -inf elsewhere (finite at an end where its shape is 1)
Var Beta::log_prob(Var x) {
  Var at = inside_or(x, on_unit_interval, 0.5f);
  Var body = sub(add(xlogy(sub(a_, 1.0f), at), xlog1py(sub(b_, 1.0f), neg(at))), log_beta_function(a_, b_));
  return restrict_to_support(body, x, on_unit_interval, -std::numeric_limits<float>::infinity());
}

// H = log B(a, b) - (a - 1) digamma(a) - (b - 1) digamma(b) + (a + b - 2) digamma(a + b)
Var Beta::entropy() {
  Var total = add(a_, b_);
  return add(sub(sub(log_beta_function(a_, b_), mul(sub(a_, 1.0f), digamma(a_))), mul(sub(b_, 1.0f), digamma(b_))),
             mul(sub(total, 2.0f), digamma(total)));
}
Var Beta::mean() { return div(a_, add(a_, b_)); }
Var Beta::variance() {
  Var total = add(a_, b_);
  return div(mul(a_, b_), mul(square(total), add(total, 1.0f)));
}

// F = I_x(a, b);  dx += dy p(x);  da, db += dy dI/da, dI/db (numerical, in double)
Var Beta::cdf(Var x) {
  check(x.shape() == a_.shape(), "Beta: cdf at x ", x.shape(), " for a batch ", a_.shape());
  Tape& tape = x.tape();
  Var y = tape.record("beta_cdf", x.shape(), {x, a_, b_});
  float* out = tape.value_buffer(y);
  for (int64_t i = 0; i < x.numel(); ++i)
    out[i] = static_cast<float>(kernels::regularized_beta(x.data()[i], a_.data()[i], b_.data()[i]));
  const Var a = a_, b = b_;
  tape.set_backward(y, [x, a, b, y] {
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double xi = x.data()[i], ai = a.data()[i], bi = b.data()[i], dy = y.grad()[i];
      if (xi <= 0 || xi >= 1) continue;  // flat outside the support
      if (x.requires_grad()) x.grad()[i] += static_cast<float>(dy * beta_density(xi, ai, bi));
      if (a.requires_grad()) a.grad()[i] += static_cast<float>(dy * beta_cdf_slope(xi, ai, bi, true));
      if (b.requires_grad()) b.grad()[i] += static_cast<float>(dy * beta_cdf_slope(xi, ai, bi, false));
    }
  });
  return y;
}

}  // namespace aevb::nn
