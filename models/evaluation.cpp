#include "models/evaluation.h"

#include <algorithm>

#include "autodiff/error.h"
#include "models/data_parallel.h"

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

// Under several processes (data_parallel.h) each evaluates a contiguous share of the
// blocks of kEvaluationBatch images, and the blocks' weighted terms are gathered and
// added in block order: the same additions, in the same order, as one process makes.
// Block b draws from the words where one process would have reached it: every full
// block draws the same number of words (a function of its size), learnt from block 0,
// which a process not holding it evaluates once more to learn it.
VaeEvaluation evaluate_vae(Vae& vae, const EvaluationSet& test, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t count = test.images.shape()[0], z = vae.config().latent;
  const bool conditional = vae.config().conditions > 0;
  const int64_t blocks = (count + kEvaluationBatch - 1) / kEvaluationBatch;
  const uint64_t start = rng.position();
  // A block's terms, each weighted by its share of the test set: reconstruction, KL,
  // the KL of each latent dimension, then the words it drew.
  const auto evaluate_block = [&](int64_t block, std::vector<double>& terms_out) {
    const int64_t first = block * kEvaluationBatch, n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    const uint64_t before = rng.position();
    Var condition = conditional ? rows_of(tape, test.one_hot, first, n) : Var();
    ElboTerms terms = vae.elbo(rows_of(tape, test.images, first, n), condition, rng);
    const double weight = static_cast<double>(n) / static_cast<double>(count);
    terms_out.push_back(terms.reconstruction.item() * weight);
    terms_out.push_back(terms.kl.item() * weight);
    for (int64_t j = 0; j < z; ++j) terms_out.push_back(terms.kl_per_dimension.data()[j] * weight);
    terms_out.push_back(static_cast<double>(rng.position() - before));
  };
  const auto per_block = static_cast<size_t>(z + 3);
  std::vector<double> all;
  if (Processes::count() == 1) {
    for (int64_t block = 0; block < blocks; ++block) evaluate_block(block, all);
  } else {
    const Processes::Range mine = Processes::my_share(blocks);
    uint64_t words_per_block = 0;
    std::vector<double> local;
    if (mine.first > 0 && blocks > 1) {
      std::vector<double> block_zero;
      evaluate_block(0, block_zero);
      words_per_block = static_cast<uint64_t>(block_zero.back());
    }
    for (int64_t block = mine.first; block < mine.last; ++block) {
      if (block > 0) rng.set_position(start + static_cast<uint64_t>(block) * words_per_block);
      evaluate_block(block, local);
      const auto drew = static_cast<uint64_t>(local.back());
      if (block == 0) words_per_block = drew;
      check(block + 1 == blocks || drew == words_per_block, "evaluate_vae: block ", block, " drew ", drew,
            " random words, block 0 drew ", words_per_block, " (blocks must draw alike to be split)");
    }
    all = Processes::gather(local);
  }
  VaeEvaluation result;
  result.kl_per_dimension.assign(static_cast<size_t>(z), 0.0);
  uint64_t drawn = 0;
  for (size_t at = 0; at < all.size(); at += per_block) {
    result.reconstruction += all[at];
    result.kl += all[at + 1];
    for (int64_t j = 0; j < z; ++j) result.kl_per_dimension[static_cast<size_t>(j)] += all[at + 2 + static_cast<size_t>(j)];
    drawn += static_cast<uint64_t>(all[at + per_block - 1]);
  }
  rng.set_position(start + drawn);  // where one process leaves it
  result.neg_elbo = result.reconstruction + result.kl;
  return result;
}

// The corruption is of the whole set at once (every process makes the same), then the
// blocks are split as in evaluate_vae.
double evaluate_autoencoder(Autoencoder& autoencoder, const EvaluationSet& test, const Corruption& corrupt, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  Tensor inputs = test.images;
  corrupt(inputs, rng);
  const int64_t count = test.images.shape()[0];
  const int64_t blocks = (count + kEvaluationBatch - 1) / kEvaluationBatch;
  std::vector<double> totals;
  const Processes::Range mine = Processes::my_share(blocks);
  for (int64_t block = mine.first; block < mine.last; ++block) {
    const int64_t first = block * kEvaluationBatch, n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    Var loss = autoencoder.loss(rows_of(tape, inputs, first, n), rows_of(tape, test.images, first, n));
    totals.push_back(loss.item() * static_cast<double>(n));
  }
  double total = 0;
  for (double block_total : Processes::gather(totals)) total += block_total;
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
