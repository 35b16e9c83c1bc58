#include "models/evaluation.h"

#include <algorithm>

#include "autodiff/error.h"

namespace aevb::models {

EvaluationSet evaluation_set(const datasets::ImageSet& test, datasets::Binarization binarization, uint64_t seed,
                             bool one_hot) {
  const datasets::Binarization fixed =
      binarization == datasets::Binarization::dynamic ? datasets::Binarization::sample : binarization;
  datasets::Batcher batcher(
      test, {.batch_size = test.count, .shuffle = false, .one_hot = one_hot, .binarization = fixed, .seed = seed});
  const datasets::Batch* all = batcher.next();
  return {all->images, one_hot ? all->one_hot : Tensor(), all->labels};
}

Var rows_of(Tape& tape, const Tensor& t, int64_t first, int64_t count) {
  const int64_t width = t.shape()[1];
  return tape.input(Shape{count, width}, t.data() + first * width);
}

Tensor one_hot_rows(const std::vector<int>& classes, int64_t count) {
  Tensor out({static_cast<int64_t>(classes.size()), count});
  for (size_t i = 0; i < classes.size(); ++i) {
    check(classes[i] >= 0 && classes[i] < count, "one_hot_rows: class ", classes[i], " of row ", i, " is not in [0, ",
          count, ")");
    out[static_cast<int64_t>(i) * count + classes[i]] = 1.0f;
  }
  return out;
}

VaeEvaluation evaluate_vae(Vae& vae, const EvaluationSet& test, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t count = test.images.shape()[0], z = vae.config().latent;
  const bool conditional = vae.config().conditions > 0;
  VaeEvaluation result;
  result.kl_per_dimension.assign(static_cast<size_t>(z), 0.0);
  for (int64_t first = 0; first < count; first += kEvaluationBatch) {
    const int64_t n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    Var condition = conditional ? rows_of(tape, test.one_hot, first, n) : Var();
    ElboTerms terms = vae.elbo(rows_of(tape, test.images, first, n), condition, rng);
    const double weight = static_cast<double>(n) / static_cast<double>(count);
    result.reconstruction += terms.reconstruction.item() * weight;
    result.kl += terms.kl.item() * weight;
    for (int64_t j = 0; j < z; ++j)
      result.kl_per_dimension[static_cast<size_t>(j)] += terms.kl_per_dimension.data()[j] * weight;
  }
  result.neg_elbo = result.reconstruction + result.kl;
  return result;
}

double evaluate_autoencoder(Autoencoder& autoencoder, const EvaluationSet& test, const Corruption& corrupt, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  Tensor inputs = test.images;
  corrupt(inputs, rng);
  double total = 0;
  const int64_t count = test.images.shape()[0];
  for (int64_t first = 0; first < count; first += kEvaluationBatch) {
    const int64_t n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    Var loss = autoencoder.loss(rows_of(tape, inputs, first, n), rows_of(tape, test.images, first, n));
    total += loss.item() * static_cast<double>(n);
  }
  return total / static_cast<double>(count);
}

std::vector<double> conditional_accuracy(Vae& vae, Classifier& judge, int64_t per_class, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t c = vae.config().conditions;
  std::vector<double> accuracy;
  for (int64_t label = 0; label < c; ++label) {
    tape.clear();
    Var condition =
        tape.input(one_hot_rows(std::vector<int>(static_cast<size_t>(per_class), static_cast<int>(label)), c));
    Var drawn = vae.prior(tape, condition, per_class)->rsample(rng);
    Tensor images = vae.decoder_mean(vae.decode(drawn, condition)).value();
    std::vector<int> predicted = judge.predict(images.data(), per_class);
    accuracy.push_back(static_cast<double>(std::count(predicted.begin(), predicted.end(), static_cast<int>(label))) /
                       static_cast<double>(per_class));
  }
  return accuracy;
}

}  // namespace aevb::models
