// An MLP classifier of images: trained by examples/train_classifier, it judges the
// CVAE's conditional samples (does a digit generated for class c look like a c?).
// Legend: N batch, D pixels, H hidden units, C classes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datasets/image_set.h"
#include "nn/layers.h"

namespace aevb::models {

struct ClassifierConfig {
  int64_t inputs = 784;                 // D
  std::vector<int64_t> hidden = {512, 256};  // H per layer
  int64_t classes = 10;                 // C
  nn::Activation activation = nn::Activation::relu;
};

class Classifier : public nn::Module {
 public:
  Classifier(const ClassifierConfig& config, Rng& rng);
  Var logits(Var images);  // [N, D] in [0, 1] -> [N, C]
  const ClassifierConfig& config() const { return config_; }

  // The most likely class of each of `count` images [count, D], in batches, no gradients.
  std::vector<int> predict(const float* images, int64_t count);
  double accuracy(const datasets::ImageSet& set);  // fraction labelled correctly

 private:
  ClassifierConfig config_;
  nn::Sequential* mlp_;
  Tape evaluation_tape_;
};

// The parameters and the configuration, in one checkpoint file.
void save_classifier(const std::string& path, Classifier& classifier);
std::unique_ptr<Classifier> load_classifier(const std::string& path);

}  // namespace aevb::models
