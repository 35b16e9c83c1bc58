// Learning curves in the paper's protocol (Kingma & Welling 2013, Section 5), for
// Figures 2 and 3: a VAE-shaped model trained by AEVB, by wake-sleep or by Monte Carlo
// EM, measured at points spaced evenly in log(training samples evaluated).
//
// The protocol: one tanh hidden layer, minibatches of 100, one sample per datapoint,
// parameters drawn from N(0, 0.01^2), Adagrad with its global step size chosen from
// {0.01, 0.02, 0.1} by the training objective after a short trial, and weight decay
// as the prior p(theta) = N(0, I): the per-datapoint objective gains log p(theta) / N,
// so its gradient gains -theta / N. Pixel intensities in [0, 1] are the Bernoulli
// targets (the paper's MNIST code does so); wake-sleep's dreams are binary.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "datasets/image_set.h"
#include "models/inference/target.h"
#include "models/vae.h"

namespace aevb::models::inference {

enum class Learner { aevb, wake_sleep, mcem };
const char* to_string(Learner learner);  // "AEVB", "wake-sleep", "MCEM"

struct CurveOptions {
  Learner learner = Learner::aevb;
  int64_t latent = 3, hidden = 500;
  int64_t batch = 100;
  int64_t budget = 1000000;       // training samples evaluated, in all
  int64_t points_per_decade = 4;  // measurements per tenfold of samples
  float init_stddev = 0.01f;
  std::vector<float> learning_rates = {0.01f, 0.02f, 0.1f};  // Adagrad's, the paper's choice
  int64_t trial_samples = 20000;                             // per candidate step size
  uint64_t seed = 1;
};

struct CurvePoint {
  int64_t samples = 0;         // training samples evaluated so far
  double train = 0, test = 0;  // the measure on the training and the test images, per datapoint
  double seconds = 0;          // training time so far (measuring not included)
};

// What a curve plots for a model on images [N, D]: a lower bound or an estimate of
// log p(x), per datapoint.
using Measure = std::function<double(Vae& vae, const Tensor& images, Rng& rng)>;
double elbo_measure(Vae& vae, const Tensor& images, Rng& rng);  // the encoder's ELBO (analytic KL)

struct Curve {
  float learning_rate = 0;  // the chosen one
  std::vector<CurvePoint> points;
};

// Trains on `train` (all of it) and measures on train_images and test_images (subsets,
// prepared as Bernoulli targets). progress: (samples done, budget).
Curve learning_curve(const CurveOptions& options, const datasets::ImageSet& train, const Tensor& train_images,
                     const Tensor& test_images, const Measure& measure, const ProgressFn& progress = {});

// The sample counts at which a curve is measured: batch, then points_per_decade per
// decade, then the budget, each a whole number of minibatches.
std::vector<int64_t> measurement_points(int64_t batch, int64_t budget, int64_t points_per_decade);

// Pixel intensities in [0, 1] of images [first, first + count) of a set, [count, D].
Tensor intensities(const datasets::ImageSet& set, int64_t count);

}  // namespace aevb::models::inference
