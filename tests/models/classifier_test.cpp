// Tests for models/classifier.cpp: save and load keep predictions; a short training
// on mnist-subset already labels most test digits right.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "autodiff/error.h"
#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "models/classifier.h"
#include "nn/checkpoint.h"
#include "nn/losses.h"
#include "nn/optimizer.h"

using namespace aevb;
using namespace aevb::models;
namespace fs = std::filesystem;

TEST_CASE("a classifier learns mnist-subset and survives a save and load") {
  datasets::TrainTest data = datasets::load_dataset("mnist-subset");
  Rng rng(1);
  Classifier classifier({.inputs = 784, .hidden = {64}, .classes = 10}, rng);
  nn::Adam adam(classifier.named_parameters(), {.learning_rate = 2e-3f});
  datasets::Batcher batcher(data.train, {.batch_size = 100, .one_hot = true, .seed = 1});
  Tape tape;
  while (const datasets::Batch* batch = batcher.next()) {  // one epoch
    tape.clear();
    Var loss = nn::cross_entropy_with_logits(classifier.logits(tape.input(batch->images)), tape.input(batch->one_hot));
    adam.zero_grad();
    tape.backward(loss);
    adam.step();
  }
  const double accuracy = classifier.accuracy(data.test);
  INFO("test accuracy after one epoch: " << accuracy);
  CHECK(accuracy > 0.85);

  const fs::path path = fs::temp_directory_path() / ("aevb_classifier_" + std::to_string(::getpid()) + ".aevb");
  save_classifier(path.string(), classifier);
  std::unique_ptr<Classifier> loaded = load_classifier(path.string());
  CHECK(loaded->config().hidden == std::vector<int64_t>{64});
  CHECK(loaded->accuracy(data.test) == accuracy);
  fs::remove(path);
}

TEST_CASE("a file that is not a classifier is refused") {
  const fs::path path = fs::temp_directory_path() / ("aevb_not_classifier_" + std::to_string(::getpid()) + ".aevb");
  nn::write_checkpoint_file(path.string(), {{"epoch", 1}}, {});
  CHECK_THROWS_WITH_AS(load_classifier(path.string()),
                       ("'" + path.string() + "' is not a classifier: counter 'classifier.inputs' is missing").c_str(),
                       Error);
  fs::remove(path);
}
