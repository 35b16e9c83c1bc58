// What every method in models/inference/ works on: an unnormalized log density over
// latent codes,
//
//   log f_beta(z) = log p(z) + beta log p(x | z),
//
// evaluated for many codes at once (the rows of z [R, Z]) with, when asked, its gradient
// in z. beta = 1 is the posterior p(z | x) up to its normalizer p(x); beta = 0 the prior;
// in between, the geometric path that annealed importance sampling follows. The prior
// is N(0, I) for every target (the VAE's, Section 3 of the paper), so that AIS can draw
// from it exactly.
//
// Rows are grouped by image: a target of N images accepts any R = N k, and row r belongs
// to image r / k (k chains, or k grid points, per image, contiguous).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "autodiff/tensor.h"
#include "models/vae.h"

namespace aevb::models::inference {

struct TargetValues {
  std::vector<double> log_prior;       // [R] log p(z_r)
  std::vector<double> log_likelihood;  // [R] log p(x_i | z_r) for the row's image i
  Tensor gradient;                     // [R, Z] d/dz (log p(z) + beta log p(x | z)), when asked for
  double log_density(int64_t row, double beta) const {
    return log_prior[static_cast<size_t>(row)] + beta * log_likelihood[static_cast<size_t>(row)];
  }
};

class LatentTarget {
 public:
  virtual ~LatentTarget() = default;
  virtual int64_t images() const = 0;     // N
  virtual int64_t dimension() const = 0;  // Z
  // z [R, Z] with R a multiple of images(); fills `out` (resized to R rows).
  virtual void evaluate(const Tensor& z, double beta, bool with_gradient, TargetValues& out) = 0;
  // How many rows evaluate has seen, all calls together (the methods' cost in decoder passes).
  int64_t rows_evaluated() const { return rows_evaluated_; }

 protected:
  int64_t rows_evaluated_ = 0;
};

// The posterior of a trained VAE for images x [N, D]: log p(z) from the model's prior,
// log p(x | z) from its decoder and likelihood, the gradient from the tape with the
// model's parameters frozen (nn::FrozenScope), so that a backward pass computes only
// the code's gradient. Evaluated in chunks of at most `chunk_rows` rows.
class VaePosterior : public LatentTarget {
 public:
  VaePosterior(Vae& vae, const Tensor& images, int64_t chunk_rows = 8192);
  int64_t images() const override { return images_.shape()[0]; }
  int64_t dimension() const override { return vae_.config().latent; }
  void evaluate(const Tensor& z, double beta, bool with_gradient, TargetValues& out) override;

 private:
  Vae& vae_;
  Tensor images_;
  int64_t chunk_rows_;
};

// What a Markov chain sampler returns: samples [S, R, Z] after warm-up, for R chains,
// and per chain what warm-up settled on and how often a proposal was accepted.
struct ChainRun {
  Tensor samples;
  std::vector<double> step_size;   // HMC's leapfrog step, or MH's proposal scale, per chain
  std::vector<double> acceptance;  // the fraction of proposals accepted after warm-up, per chain
  double seconds = 0;              // wall time, warm-up included
};

// Called as work proceeds: (units done, units in all), for a progress line.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// Row r of z [R, Z] (a matrix: not samples [S, R, Z]) as a pointer, and small helpers
// the methods share.
inline float* row(Tensor& z, int64_t r) { return z.data() + r * z.shape()[1]; }
inline const float* row(const Tensor& z, int64_t r) { return z.data() + r * z.shape()[1]; }
// log N(z; 0, I) of a code of `dimension` values.
double standard_normal_log_density(const float* z, int64_t dimension);

}  // namespace aevb::models::inference
