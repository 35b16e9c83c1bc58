// How a trained model is measured on the test set: the VAE's -ELBO and its terms, an
// autoencoder's reconstruction loss, and a CVAE's conditional accuracy under a judge.
// Legend: N test images, D pixels, Z latent, C classes.
#pragma once

#include <functional>
#include <vector>

#include "autodiff/tensor.h"
#include "datasets/batcher.h"
#include "datasets/image_set.h"
#include "models/autoencoder.h"
#include "models/classifier.h"
#include "models/vae.h"

namespace aevb::models {

inline constexpr int64_t kEvaluationBatch = 500;  // test images per forward pass

// The test set as floats [N, D] (and one-hot classes [N, C]), binarized once with a
// fixed seed when training binarizes: the protocol of the IWAE paper.
struct EvaluationSet {
  Tensor images, one_hot;
  std::vector<int> labels;
};
EvaluationSet evaluation_set(const datasets::ImageSet& test, datasets::Binarization binarization, uint64_t seed,
                             bool one_hot);

// Rows [first, first + count) of t [N, W] as an input of the tape.
Var rows_of(Tape& tape, const Tensor& t, int64_t first, int64_t count);

struct VaeEvaluation {
  double neg_elbo = 0, reconstruction = 0, kl = 0;  // nats per test image
  std::vector<double> kl_per_dimension;             // [Z]
};
VaeEvaluation evaluate_vae(Vae& vae, const EvaluationSet& test, Rng& rng);

// The mean reconstruction loss of the test images, each first put through `corrupt`
// (a denoising autoencoder's noise; nothing for a plain one).
using Corruption = std::function<void(Tensor& images, Rng& rng)>;
double evaluate_autoencoder(Autoencoder& autoencoder, const EvaluationSet& test, const Corruption& corrupt, Rng& rng);

// The fraction of `per_class` decoder means drawn from p(z | c) that the judge labels
// c, for each class c.
std::vector<double> conditional_accuracy(Vae& vae, Classifier& judge, int64_t per_class, Rng& rng);

// [count, classes] with a 1 at each row's class
Tensor one_hot_rows(const std::vector<int>& classes, int64_t count);

}  // namespace aevb::models
