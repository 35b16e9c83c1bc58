// Targets with known answers for the samplers' tests: f(z) = gamma(z), a 2-D density
// known up to a normalizer that is known too, written as log p(z) + log "likelihood"
// with p = N(0, I), as LatentTarget wants (the likelihood is gamma / p).
#pragma once

#include <cmath>
#include <numbers>

#include "models/inference/target.h"

namespace aevb::models::inference::testing {

// log gamma and its gradient at one code.
class KnownTarget : public LatentTarget {
 public:
  int64_t images() const override { return 1; }
  int64_t dimension() const override { return 2; }
  void evaluate(const Tensor& z, double beta, bool with_gradient, TargetValues& out) override {
    const int64_t rows = z.shape()[0];
    out.log_prior.resize(size_t(rows));
    out.log_likelihood.resize(size_t(rows));
    if (with_gradient && out.gradient.shape() != z.shape()) out.gradient = Tensor(z.shape());
    for (int64_t r = 0; r < rows; ++r) {
      const double a = row(z, r)[0], b = row(z, r)[1];
      double ga = 0, gb = 0;
      const double log_gamma = log_density_and_gradient(a, b, ga, gb);
      out.log_prior[size_t(r)] = standard_normal_log_density(row(z, r), 2);
      out.log_likelihood[size_t(r)] = log_gamma - out.log_prior[size_t(r)];
      if (with_gradient) {  // -z + beta (grad log gamma + z)
        row(out.gradient, r)[0] = static_cast<float>(-a + beta * (ga + a));
        row(out.gradient, r)[1] = static_cast<float>(-b + beta * (gb + b));
      }
    }
    rows_evaluated_ += rows;
  }
  virtual double log_density_and_gradient(double a, double b, double& ga, double& gb) const = 0;
  virtual double log_normalizer() const = 0;
  virtual double mean(int k) const = 0;
  virtual double covariance(int k, int l) const = 0;
};

// A correlated Gaussian: mean (1, -0.5), standard deviations 1 and 0.5, correlation 0.8.
class CorrelatedGaussian : public KnownTarget {
 public:
  CorrelatedGaussian() {
    const double det = s_[0] * s_[2] - s_[1] * s_[1];
    inverse_[0] = s_[2] / det, inverse_[1] = -s_[1] / det, inverse_[2] = s_[0] / det;
    log_normalizer_ = std::log(2 * std::numbers::pi) + 0.5 * std::log(det);
  }
  double log_density_and_gradient(double a, double b, double& ga, double& gb) const override {
    const double da = a - m_[0], db = b - m_[1];
    ga = -(inverse_[0] * da + inverse_[1] * db);
    gb = -(inverse_[1] * da + inverse_[2] * db);
    return -0.5 * (da * (inverse_[0] * da + inverse_[1] * db) + db * (inverse_[1] * da + inverse_[2] * db));
  }
  double log_normalizer() const override { return log_normalizer_; }
  double mean(int k) const override { return m_[k]; }
  double covariance(int k, int l) const override { return s_[k + l]; }

 private:
  double m_[2] = {1.0, -0.5};
  double s_[3] = {1.0, 0.8 * 1.0 * 0.5, 0.25};  // (0,0), (0,1), (1,1)
  double inverse_[3] = {};
  double log_normalizer_ = 0;
};

// A banana (Haario, Saksman & Tamminen 1999): z_0 ~ N(0, 1), z_1 | z_0 ~ N(c (z_0^2 - 1), 1).
// Mean 0; variances 1 and 1 + 2 c^2; no correlation; normalizer 2 pi.
class Banana : public KnownTarget {
 public:
  static constexpr double c = 0.5;
  double log_density_and_gradient(double a, double b, double& ga, double& gb) const override {
    const double r = b - c * (a * a - 1);
    ga = -a + r * 2 * c * a;
    gb = -r;
    return -0.5 * a * a - 0.5 * r * r;
  }
  double log_normalizer() const override { return std::log(2 * std::numbers::pi); }
  double mean(int) const override { return 0; }
  double covariance(int k, int l) const override { return k != l ? 0 : k == 0 ? 1 : 1 + 2 * c * c; }
};

}  // namespace aevb::models::inference::testing
