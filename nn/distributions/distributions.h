// Probability distributions whose parameters are tape values, so that gradients flow
// into whatever computed them (an encoder, in a VAE).
//
// rsample(rng) draws a differentiable sample: a deterministic, differentiable function
// of the parameters and of parameter-free noise, which the tape records as a noise
// leaf (the reparameterization trick, Kingma & Welling 2013, Section 2.4). sample(rng)
// draws without gradient. log_prob, entropy, mean, variance, cdf and icdf are tape ops
// too. Asking for something a family does not define is an aevb::Error naming the
// family, never a wrong number. The families follow the paper's three groups:
//   location-scale, z = loc + scale * eps:   Normal, Laplace, Logistic, Cauchy, Gumbel, Uniform
//   inverse cdf, z = F^-1(u), u ~ U(0,1):    Exponential, Weibull, Kumaraswamy (and Logistic, Cauchy,
//                                            Gumbel above); InverseCdfSampled for any family with an icdf
//   composition:                             LogNormal (exp of a Normal), Gamma and ChiSquared
//                                            and Beta (implicit reparameterization)
//   observation models for decoders:         Bernoulli, ContinuousBernoulli, Categorical
// Each family's math lives in its own file (nn/distributions/<family>.cpp); analytic
// KL divergences live in kl.cpp.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/ops.h"

namespace aevb::nn {

class Distribution {
 public:
  virtual ~Distribution() = default;
  virtual const char* family() const = 0;
  virtual Shape batch_shape() const = 0;

  virtual Var rsample(Rng& rng);        // a differentiable draw
  virtual Tensor sample(Rng& rng);      // a draw without gradient
  virtual Var log_prob(Var x) = 0;      // elementwise log density (or mass)
  virtual Var entropy();
  virtual Var mean();
  virtual Var variance();
  virtual Var cdf(Var x);
  virtual Var icdf(Var u);
  // The distribution whose analytic KL this one has: itself, or, for a wrapper that only
  // changes how draws are made (InverseCdfSampled), the wrapped one.
  virtual Distribution& kl_view() { return *this; }

 protected:
  [[noreturn]] void undefined(const char* what) const;
};

// z = loc + scale * eps with eps drawn from the family's standard member.
class LocationScale : public Distribution {
 public:
  Shape batch_shape() const override { return loc_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;  // standard_log_density((x - loc) / scale) - log scale
  Var entropy() override;        // standard entropy + log scale
  Var mean() override;
  Var variance() override;
  Var cdf(Var x) override;   // standard_cdf((x - loc) / scale)
  Var icdf(Var u) override;  // loc + scale * standard_icdf(u)

  Var loc() const { return loc_; }
  Var scale() const { return scale_; }
  Var log_scale() const { return log_scale_; }

 protected:
  // log_scale may be given when the caller has it (a VAE's encoder outputs log-variance),
  // which avoids a log of an exp.
  LocationScale(const char* family, Var loc, Var scale, Var log_scale);
  virtual float standard_draw(Rng& rng) const = 0;
  virtual Var standard_log_density(Var z) const = 0;
  virtual Var standard_cdf(Var z) const = 0;
  virtual Var standard_icdf(Var u) const = 0;
  virtual double standard_entropy() const = 0;
  virtual double standard_mean() const { return 0.0; }
  virtual double standard_variance() const = 0;
  virtual bool has_mean() const { return true; }

  Var loc_, scale_, log_scale_;
};

// N(loc, scale^2). From a log-variance v: scale = exp(v / 2), and log_prob uses the
// stable Gaussian negative log-likelihood op.
class Normal : public LocationScale {
 public:
  Normal(Var loc, Var scale);
  static Normal from_log_variance(Var loc, Var log_variance);
  const char* family() const override { return "Normal"; }
  Var log_prob(Var x) override;
  Var log_variance() const { return log_variance_; }  // empty unless built from one

 private:
  Normal(Var loc, Var scale, Var log_scale, Var log_variance);
  float standard_draw(Rng& rng) const override { return rng.normal(); }
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return 1.0; }
  Var log_variance_;  // set when built from a log-variance
};

// Laplace(loc, scale): density exp(-|x - loc| / scale) / (2 scale).
class Laplace : public LocationScale {
 public:
  Laplace(Var loc, Var scale);
  const char* family() const override { return "Laplace"; }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return 2.0; }
};

// Logistic(loc, scale): cdf sigmoid((x - loc) / scale).
class Logistic : public LocationScale {
 public:
  Logistic(Var loc, Var scale);
  const char* family() const override { return "Logistic"; }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override { return 2.0; }
  double standard_variance() const override;
};

// Cauchy(loc, scale): no mean and no variance.
class Cauchy : public LocationScale {
 public:
  Cauchy(Var loc, Var scale);
  const char* family() const override { return "Cauchy"; }
  Var mean() override { undefined("the mean"); }
  Var variance() override { undefined("the variance"); }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return 0.0; }
};

// StudentT(df, loc, scale) with fixed degrees of freedom df: eps = n / sqrt(c / df), n normal
// and c chi-squared(df). The mean exists for df > 1, the variance for df > 2.
class StudentT : public LocationScale {
 public:
  StudentT(float degrees_of_freedom, Var loc, Var scale);
  const char* family() const override { return "StudentT"; }
  Var variance() override;

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_variance() const override { return df_ / (df_ - 2.0); }
  bool has_mean() const override { return df_ > 1; }
  float df_;
};

// Gumbel(loc, scale), the distribution of maxima: cdf exp(-exp(-(x - loc) / scale)).
class Gumbel : public LocationScale {
 public:
  Gumbel(Var loc, Var scale);
  const char* family() const override { return "Gumbel"; }

 private:
  float standard_draw(Rng& rng) const override;
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override;
  double standard_entropy() const override;
  double standard_mean() const override;
  double standard_variance() const override;
};

// Uniform(low, high): a location-scale family with loc = low, scale = high - low.
// log_prob is -inf outside [low, high].
class Uniform : public LocationScale {
 public:
  Uniform(Var low, Var high);
  const char* family() const override { return "Uniform"; }
  Var low() const { return loc_; }
  Var high() const { return high_; }

 private:
  Uniform(Var low, Var high, Var width);
  float standard_draw(Rng& rng) const override { return rng.uniform(); }
  Var standard_log_density(Var z) const override;
  Var standard_cdf(Var z) const override;
  Var standard_icdf(Var u) const override { return u; }
  double standard_entropy() const override { return 0.0; }
  double standard_mean() const override { return 0.5; }
  double standard_variance() const override { return 1.0 / 12.0; }
  Var high_;
};

// Exponential(rate), drawn by inverting its cdf: z = -log(1 - u) / rate.
class Exponential : public Distribution {
 public:
  explicit Exponential(Var rate);
  const char* family() const override { return "Exponential"; }
  Shape batch_shape() const override { return rate_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;  // log rate - rate x for x >= 0, -inf below
  Var entropy() override;        // 1 - log rate
  Var mean() override;           // 1 / rate
  Var variance() override;       // 1 / rate^2
  Var cdf(Var x) override;       // 1 - exp(-rate x)
  Var icdf(Var u) override;      // -log(1 - u) / rate
  Var rate() const { return rate_; }

 private:
  Var rate_;
};

// Weibull(scale, concentration k): cdf 1 - exp(-(x / scale)^k) on x >= 0, drawn by its
// inverse cdf as z = scale * E^(1/k) with E = -log(1 - u) a standard exponential.
class Weibull : public Distribution {
 public:
  Weibull(Var scale, Var concentration);
  const char* family() const override { return "Weibull"; }
  Shape batch_shape() const override { return scale_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;   // gamma (1 - 1/k) + log(scale / k) + 1
  Var mean() override;      // scale Gamma(1 + 1/k)
  Var variance() override;  // scale^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2)
  Var cdf(Var x) override;
  Var icdf(Var u) override;

 private:
  Var scale_, concentration_;
};

// Kumaraswamy(a, b) on (0, 1): cdf 1 - (1 - x^a)^b, a Beta-like family with a closed-form
// inverse cdf, z = (1 - (1 - u)^(1/b))^(1/a) (the stick-breaking VAE's posterior).
class Kumaraswamy : public Distribution {
 public:
  Kumaraswamy(Var a, Var b);
  const char* family() const override { return "Kumaraswamy"; }
  Shape batch_shape() const override { return a_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;   // (1 - 1/b) + (1 - 1/a) H_b - log(a b), H_b = digamma(b + 1) + gamma
  Var mean() override;      // b B(1 + 1/a, b)
  Var variance() override;  // b B(1 + 2/a, b) - mean^2
  Var cdf(Var x) override;
  Var icdf(Var u) override;
  Var a() const { return a_; }
  Var b() const { return b_; }

 private:
  Var moment(float order);  // E x^order = b B(1 + order/a, b)
  Var a_, b_;
};

// Gives rsample to any family with a differentiable icdf: z = icdf(u), u ~ U(0, 1) a
// noise leaf on `tape` (the tape of the family's parameters). Everything else is the
// wrapped family's.
class InverseCdfSampled : public Distribution {
 public:
  InverseCdfSampled(std::unique_ptr<Distribution> base, Tape& tape) : base_(std::move(base)), tape_(&tape) {}
  const char* family() const override { return base_->family(); }
  Shape batch_shape() const override { return base_->batch_shape(); }
  Var rsample(Rng& rng) override;
  Tensor sample(Rng& rng) override { return base_->sample(rng); }
  Var log_prob(Var x) override { return base_->log_prob(x); }
  Var entropy() override { return base_->entropy(); }
  Var mean() override { return base_->mean(); }
  Var variance() override { return base_->variance(); }
  Var cdf(Var x) override { return base_->cdf(x); }
  Var icdf(Var u) override { return base_->icdf(u); }
  Distribution& kl_view() override { return base_->kl_view(); }

 private:
  std::unique_ptr<Distribution> base_;
  Tape* tape_;
};

// g_a / (g_a + g_b), rounded once from double (a Beta draw from two Gamma draws).
Var beta_from_gammas(Var g_a, Var g_b);

// A standard Gamma(concentration, 1) draw per element, differentiable in the
// concentration by implicit reparameterization (Figurnov, Mohamed & Mnih 2018): with F
// the cdf, F(g; a) = u held fixed gives dg/da = -(dF/da) / p(g; a).
Var standard_gamma_sample(Var concentration, Rng& rng);

// Gamma(concentration a, rate r): density r^a x^(a-1) e^(-r x) / Gamma(a) on x > 0.
// rsample is g / r with g = standard_gamma_sample(a).
class Gamma : public Distribution {
 public:
  Gamma(Var concentration, Var rate);
  const char* family() const override { return family_; }
  Shape batch_shape() const override { return concentration_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;   // a - log r + lgamma(a) + (1 - a) digamma(a)
  Var mean() override;      // a / r
  Var variance() override;  // a / r^2
  Var cdf(Var x) override;  // P(a, r x), the regularized incomplete gamma function
  Var concentration() const { return concentration_; }
  Var rate() const { return rate_; }

 protected:
  Gamma(const char* family, Var concentration, Var rate);

 private:
  const char* family_;
  Var concentration_, rate_;
};

// ChiSquared(k) = Gamma(k / 2, rate 1/2).
class ChiSquared : public Gamma {
 public:
  explicit ChiSquared(Var degrees_of_freedom);
};

// Beta(a, b) on (0, 1): density x^(a-1) (1 - x)^(b-1) / B(a, b); rsample is
// g_a / (g_a + g_b) with two implicitly reparameterized standard Gamma draws.
class Beta : public Distribution {
 public:
  Beta(Var a, Var b);
  const char* family() const override { return "Beta"; }
  Shape batch_shape() const override { return a_.shape(); }
  Var rsample(Rng& rng) override;
  Var log_prob(Var x) override;
  Var entropy() override;
  Var mean() override;      // a / (a + b)
  Var variance() override;  // a b / ((a + b)^2 (a + b + 1))
  Var cdf(Var x) override;  // I_x(a, b), the regularized incomplete beta function
  Var a() const { return a_; }
  Var b() const { return b_; }

 private:
  Var a_, b_;
};

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)
Var log_beta_function(Var a, Var b);

// A monotone increasing, differentiable map y = T(x) for TransformedDistribution.
class Transform {
 public:
  virtual ~Transform() = default;
  virtual Var forward(Var x) const = 0;
  virtual Var inverse(Var y) const = 0;
  virtual Var log_abs_det_jacobian(Var x) const = 0;  // log |dT/dx| at x, elementwise
};
class ExpTransform : public Transform {  // y = e^x
 public:
  Var forward(Var x) const override { return exp(x); }
  Var inverse(Var y) const override { return log(y); }
  Var log_abs_det_jacobian(Var x) const override { return x; }
};
class SigmoidTransform : public Transform {  // y = 1 / (1 + e^-x), onto (0, 1)
 public:
  Var forward(Var x) const override { return sigmoid(x); }
  Var inverse(Var y) const override { return sub(log(y), log1p(neg(y))); }
  Var log_abs_det_jacobian(Var x) const override { return add(log_sigmoid(x), log_sigmoid(neg(x))); }
};
class AffineTransform : public Transform {  // y = loc + scale x, scale > 0
 public:
  AffineTransform(float loc, float scale);
  Var forward(Var x) const override { return add(mul(x, scale_), loc_); }
  Var inverse(Var y) const override { return mul(sub(y, loc_), 1.0f / scale_); }
  Var log_abs_det_jacobian(Var x) const override { return add(mul(x, 0.0f), std::log(scale_)); }

 private:
  float loc_, scale_;
};

// The distribution of y = T_k(...T_1(x)) for x from `base`: rsample pushes a base draw
// through the transforms (gradients follow), and by the change of variables
//   log p(y) = log p_base(x) - sum_i log |dT_i/dx_i|,  x = T^-1(y).
// cdf and icdf come from the base's (the transforms are increasing); moments are undefined.
class TransformedDistribution : public Distribution {
 public:
  TransformedDistribution(std::unique_ptr<Distribution> base, std::vector<std::unique_ptr<Transform>> transforms);
  const char* family() const override { return "Transformed"; }
  Shape batch_shape() const override { return base_->batch_shape(); }
  Var rsample(Rng& rng) override;
  Tensor sample(Rng& rng) override;
  Var log_prob(Var y) override;
  Var cdf(Var y) override;
  Var icdf(Var u) override;

 private:
  std::unique_ptr<Distribution> base_;
  std::vector<std::unique_ptr<Transform>> transforms_;
};

// LogNormal: exp of a Normal(loc, scale).
class LogNormal : public Distribution {
 public:
  LogNormal(Var loc, Var scale);
  const char* family() const override { return "LogNormal"; }
  Shape batch_shape() const override { return base_.batch_shape(); }
  Var rsample(Rng& rng) override { return exp(base_.rsample(rng)); }
  Var log_prob(Var x) override;  // base.log_prob(log x) - log x
  Var entropy() override;        // base entropy + loc
  Var mean() override;           // exp(loc + scale^2 / 2)
  Var variance() override;       // (exp(scale^2) - 1) exp(2 loc + scale^2)
  Var cdf(Var x) override;       // base.cdf(log x); 0 for x <= 0
  Var icdf(Var u) override { return exp(base_.icdf(u)); }
  Normal& base() { return base_; }

 private:
  Normal base_;
};

// Bernoulli(logits), for binary observations. log_prob also accepts x in [0, 1], where
// it is the cross-entropy used as a VAE's decoder likelihood on grey pixels.
class Bernoulli : public Distribution {
 public:
  explicit Bernoulli(Var logits);
  const char* family() const override { return "Bernoulli"; }
  Shape batch_shape() const override { return logits_.shape(); }
  Tensor sample(Rng& rng) override;
  Var log_prob(Var x) override;  // -bce_with_logits(logits, x)
  Var entropy() override;
  Var mean() override;      // sigmoid(logits)
  Var variance() override;  // p (1 - p)
  Var logits() const { return logits_; }

 private:
  Var logits_;
};

// The continuous Bernoulli (Loaiza-Ganem & Cunningham 2019): a density on [0, 1],
// p(x) = C(l) l^x (1 - l)^(1 - x), the proper likelihood for grey pixels. With logits
// eta: log C = log(eta / tanh(eta / 2)), computed by a series near eta = 0.
class ContinuousBernoulli : public Distribution {
 public:
  explicit ContinuousBernoulli(Var logits);
  const char* family() const override { return "ContinuousBernoulli"; }
  Shape batch_shape() const override { return logits_.shape(); }
  Tensor sample(Rng& rng) override;  // by the inverse cdf
  Var rsample(Rng& rng) override;    // icdf(u), u a noise leaf
  Var log_prob(Var x) override;
  Var mean() override;      // 1 / (1 - e^-eta) - 1 / eta, 1/2 at eta = 0
  Var variance() override;  // 1/eta^2 - 1 / (4 sinh^2(eta/2)), 1/12 at eta = 0
  Var entropy() override;   // -log C(eta) - eta E x + softplus(eta)
  Var cdf(Var x) override;  // expm1(eta x) / expm1(eta), x at eta = 0
  Var icdf(Var u) override; // log1p(u expm1(eta)) / eta
  Var logits() const { return logits_; }

 private:
  Var logits_;
};
// log C(eta), the continuous Bernoulli's log-normalizer, as an op (derivative 1/eta - 1/sinh eta).
Var continuous_bernoulli_log_normalizer(Var logits);

// Categorical over the last axis of logits [N, C]; log_prob takes one-hot rows [N, C]
// (or any distributions over the classes, for a cross-entropy) and gives [N].
class Categorical : public Distribution {
 public:
  explicit Categorical(Var logits);
  const char* family() const override { return "Categorical"; }
  Shape batch_shape() const override { return Shape{logits_.shape()[0]}; }
  Tensor sample(Rng& rng) override;  // one-hot rows [N, C]
  Var log_prob(Var one_hot) override;
  Var entropy() override;
  Var logits() const { return logits_; }

 private:
  Var logits_;
};

// KL(p || q), elementwise over the batch shape. Analytic for the pairs registered in
// kl.cpp; otherwise an error naming both families, unless monte_carlo_samples > 0 asks
// for the estimate mean_k [log p(z_k) - log q(z_k)], z_k = p.rsample(rng).
struct KlOptions {
  int monte_carlo_samples = 0;
  Rng* rng = nullptr;
};
// The pair is found by the distributions' dynamic types (through kl_view), never by
// their family names alone.
Var kl_divergence(Distribution& p, Distribution& q, KlOptions options = {});
bool has_analytic_kl(Distribution& p, Distribution& q);

}  // namespace aevb::nn
