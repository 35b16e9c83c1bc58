#include "models/classifier.h"

#include <algorithm>

#include "autodiff/error.h"
#include "nn/checkpoint.h"

namespace aevb::models {
namespace {
constexpr int64_t kEvaluationBatch = 500;
}  // namespace

Classifier::Classifier(const ClassifierConfig& config, Rng& rng) : config_(config) {
  std::vector<int64_t> sizes = {config.inputs};
  sizes.insert(sizes.end(), config.hidden.begin(), config.hidden.end());
  sizes.push_back(config.classes);
  mlp_ = &adopt("mlp", nn::make_mlp(sizes, config.activation, rng));
}

Var Classifier::logits(Var images) { return mlp_->forward(images); }

std::vector<int> Classifier::predict(const float* images, int64_t count) {
  NoGradGuard no_grad;
  std::vector<int> labels;
  labels.reserve(static_cast<size_t>(count));
  for (int64_t first = 0; first < count; first += kEvaluationBatch) {
    const int64_t size = std::min(kEvaluationBatch, count - first);
    evaluation_tape_.clear();
    Var scores = logits(evaluation_tape_.input(Shape{size, config_.inputs}, images + first * config_.inputs));
    const float* values = scores.data();
    for (int64_t n = 0; n < size; ++n) {
      const float* row = values + n * config_.classes;
      labels.push_back(static_cast<int>(std::max_element(row, row + config_.classes) - row));
    }
  }
  return labels;
}

double Classifier::accuracy(const datasets::ImageSet& set) {
  check(set.labelled() && set.pixels_per_image() == config_.inputs, "Classifier::accuracy: '", set.name, "' has ",
        set.pixels_per_image(), " pixels per image", set.labelled() ? "" : " and no labels", "; the classifier reads ",
        config_.inputs);
  std::vector<float> images(set.pixels.size());
  std::transform(set.pixels.begin(), set.pixels.end(), images.begin(), [](uint8_t v) { return v / 255.0f; });
  std::vector<int> predicted = predict(images.data(), set.count);
  int64_t correct = 0;
  for (int64_t n = 0; n < set.count; ++n)
    correct += predicted[static_cast<size_t>(n)] == set.labels[static_cast<size_t>(n)];
  return static_cast<double>(correct) / static_cast<double>(set.count);
}

void save_classifier(const std::string& path, Classifier& classifier) {
  const ClassifierConfig& config = classifier.config();
  std::map<std::string, uint64_t> counters = {
      {"classifier.inputs", static_cast<uint64_t>(config.inputs)},
      {"classifier.classes", static_cast<uint64_t>(config.classes)},
      {"classifier.activation", static_cast<uint64_t>(config.activation)},
      {"classifier.hidden_layers", config.hidden.size()},
  };
  for (size_t i = 0; i < config.hidden.size(); ++i)
    counters["classifier.hidden." + std::to_string(i)] = static_cast<uint64_t>(config.hidden[i]);
  nn::save_model(path, classifier, counters);
}

std::unique_ptr<Classifier> load_classifier(const std::string& path) {
  std::map<std::string, uint64_t> counters = nn::read_checkpoint_file(path).counters;
  auto counter = [&](const std::string& name) {
    auto found = counters.find(name);
    check(found != counters.end(), "'", path, "' is not a classifier: counter '", name, "' is missing");
    return found->second;
  };
  ClassifierConfig config;
  config.inputs = static_cast<int64_t>(counter("classifier.inputs"));
  config.classes = static_cast<int64_t>(counter("classifier.classes"));
  config.activation = static_cast<nn::Activation>(counter("classifier.activation"));
  config.hidden.clear();
  for (uint64_t i = 0; i < counter("classifier.hidden_layers"); ++i)
    config.hidden.push_back(static_cast<int64_t>(counter("classifier.hidden." + std::to_string(i))));
  Rng unused(0);
  auto classifier = std::make_unique<Classifier>(config, unused);
  nn::load_model(path, *classifier);
  return classifier;
}

}  // namespace aevb::models
