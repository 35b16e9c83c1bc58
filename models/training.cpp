// The training loop of every model: one train_step per minibatch, one epoch runner
// for the VAE, the CVAE and the autoencoder, and each model's run around them (what it
// checks first, what it measures, logs and draws). Evaluation is in evaluation.cpp,
// the logs in run_log.cpp and training_metrics.cpp, the pictures in pictures.cpp, the
// checks before writing in run_configuration.cpp.
#include "models/training.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <new>
#include <utility>

#include "autodiff/error.h"
#include "autodiff/kernels/isa.h"
#include "models/code_version.h"
#include "models/data_parallel.h"
#include "models/classifier.h"
#include "models/evaluation.h"
#include "models/pictures.h"
#include "models/progress.h"
#include "models/run_configuration.h"
#include "models/run_folder.h"
#include "models/run_log.h"
#include "models/training_metrics.h"
#include "nn/checkpoint.h"
#include "nn/optimizer.h"

namespace aevb::models {
namespace {

constexpr int64_t kJudgedPerClass = 1000;  // samples per class the judge labels
// The random streams of a run, each named: training's draws, then one generator per
// other use, so that evaluating or drawing never shifts what training draws.
constexpr uint64_t kSamplingStream = 1, kJudgeStream = 997, kEstimateStream = 998, kPictureStream = 999,
                   kEvaluationStream = 1000;  // + the epoch

// Rank 0 speaks for the run.
void say(const TrainingOptions& options, const std::string& line) {
  if (!options.quiet && Processes::root()) std::printf("%s\n", line.c_str());
}

// --- several processes ----------------------------------------------------------------

void check_shards(const TrainingOptions& options) {
  if (options.shards < 1 || options.shards > options.batch)
    refuse("--shards: ", options.shards, " shards of a batch of ", options.batch, " images (expected 1 to --batch)");
}

// Every process must run the same run: the same flags and data (the configuration a
// checkpoint records), the same code and the same kernels (which may differ in the
// last bits between instruction sets). Rank 0's is the reference; the first process
// that differs is named, on every process, so that all refuse together.
void check_processes_agree(const TrainingOptions& options, const Configuration& configuration) {
  if (Processes::count() == 1) return;
  Configuration mine = configuration;
  // And what must match for the processes to stay in step, though a checkpoint does not record it.
  mine.insert({{"code version", code_version()},
               {"kernels (AEVB_ISA)", kernels::isa_name(kernels::active_isa())},
               {"--epochs", std::to_string(options.epochs)},
               {"--shards", std::to_string(options.shards)},
               {"--out", options.out},
               {"--resume", options.resume},
               {"--eval-k", std::to_string(options.eval_k)},
               {"--digit", std::to_string(options.digit)},
               {"--judge", options.judge}});
  std::string text;
  for (const auto& [key, value] : mine) text += key + '\t' + value + '\n';
  const std::string reference = Processes::broadcast(text);
  std::string difference;
  if (text != reference) {
    Configuration theirs;
    for (size_t start = 0; start < reference.size();) {
      const size_t tab = reference.find('\t', start), end = reference.find('\n', start);
      theirs[reference.substr(start, tab - start)] = reference.substr(tab + 1, end - tab - 1);
      start = end + 1;
    }
    for (const auto& [key, value] : mine) {
      const auto found = theirs.find(key);
      const std::string reference_value = found == theirs.end() ? "(none)" : found->second;
      if (reference_value != value) {
        difference = "process " + std::to_string(Processes::rank()) + " has " + key + " " + value +
                     ", process 0 has " + reference_value;
        break;
      }
    }
    if (difference.empty()) difference = "process " + std::to_string(Processes::rank()) + " has a different configuration";
  }
  const std::string first = Processes::first_nonempty(difference);
  if (!first.empty()) refuse("mpirun: the processes disagree: ", first, " (every process must run the same program with the same flags and data)");
}

// Rank 0 claims the folder (one run at a time) once every process has checked it and
// read what it resumes from, so that none sees a folder rank 0 has begun to write.
std::unique_ptr<RunFolder> claim_folder(const TrainingOptions& options, const std::string& program) {
  Processes::barrier();
  return Processes::root() ? std::make_unique<RunFolder>(options.out, program) : nullptr;
}

// --- one step -------------------------------------------------------------------------

// What one minibatch's forward pass measured, per image.
struct StepLosses {
  double loss = 0;  // what the epoch line averages: -ELBO, or the reconstruction loss
  double reconstruction = 0, kl = 0;
  double objective = 0;  // the value backward differentiated (KL weighted, free bits)
};

// A model's forward and backward on one minibatch (or one shard of it): records the
// loss on the tape, draws from `rng`, and fills the parameters' gradients with those of
// `weight` times the loss (a shard's share of the batch), leaving the update to
// train_step. The losses it returns are the shard's own, per image, unweighted.
using ForwardBackward =
    std::function<StepLosses(Tape& tape, const datasets::Batch& batch, int64_t step, Rng& rng, float weight)>;

// How a step cuts its batch (data_parallel.h): S shards, shard s the images
// [s n / S, (s + 1) n / S), this process's shards computed one after another. Shard s
// draws from the run's generator advanced by s * kShardWords words, and the step then
// moves it on by S * kShardWords, so a shard's draws depend on S and s, never on
// which process computes it. One shard on one process is the plain step, drawing
// from the generator as it stands.
constexpr uint64_t kShardWords = uint64_t{1} << 32;
struct Sharding {
  int64_t shards = 1;
  bool plain() const { return shards == 1 && Processes::count() == 1; }
  // Work space, kept between steps.
  std::vector<std::vector<float>> gradients;  // this process's shards', flat, in parameter order
  std::vector<float> sum;
  datasets::Batch shard;
  double sum_seconds = 0;  // spent summing the shards' gradients (waiting for the others included)
};

// Rows [first, last) of `batch`, into `shard` (its memory reused).
void take_rows(const datasets::Batch& batch, int64_t first, int64_t last, datasets::Batch& shard) {
  const int64_t n = last - first;
  const auto rows = [&](const Tensor& whole, Tensor& part) {
    if (whole.numel() == 0) {
      part = Tensor();
      return;
    }
    const int64_t width = whole.shape()[1];
    if (part.numel() != n * width) part = Tensor({n, width});
    std::copy(whole.data() + first * width, whole.data() + last * width, part.data());
  };
  shard.size = n;
  rows(batch.images, shard.images);
  rows(batch.one_hot, shard.one_hot);
  shard.labels.assign(batch.labels.begin() + std::min<int64_t>(first, static_cast<int64_t>(batch.labels.size())),
                      batch.labels.begin() + std::min<int64_t>(last, static_cast<int64_t>(batch.labels.size())));
  shard.indices.assign(batch.indices.begin() + first, batch.indices.begin() + last);
}

// The sharded forward and backward: each of this process's shards into its own
// gradient, then the sum over all shards in shard order into the parameters'
// gradients, and the losses combined the same way. A shard whose forward throws (on
// any process) makes the step's loss NaN everywhere, so that every process stops at
// the same step; `error` holds the message where it was thrown.
StepLosses sharded_forward_backward(const ForwardBackward& forward_backward, Tape& tape,
                                    const datasets::Batch& batch, int64_t step, nn::Optimizer& optimizer, Rng& rng,
                                    Sharding& sharding, std::string& error) {
  const std::vector<nn::NamedParameter>& parameters = optimizer.parameters();
  int64_t floats = 0;
  for (const nn::NamedParameter& named : parameters) floats += named.parameter->grad().numel();
  const int64_t shards = sharding.shards, n = batch.size;
  const Processes::Range mine = Processes::my_share(shards);
  sharding.gradients.resize(static_cast<size_t>(mine.size()));
  std::vector<double> losses;  // per shard of mine: weight, loss, reconstruction, kl, objective
  const uint64_t start = rng.position();
  for (int64_t s = mine.first; s < mine.last; ++s) {
    std::vector<float>& gradient = sharding.gradients[static_cast<size_t>(s - mine.first)];
    gradient.assign(static_cast<size_t>(floats), 0.0f);
    const int64_t first = s * n / shards, last = (s + 1) * n / shards;
    StepLosses shard_losses;
    const double weight = static_cast<double>(last - first) / static_cast<double>(n);
    if (last > first) {
      take_rows(batch, first, last, sharding.shard);
      Rng shard_rng = rng;
      shard_rng.set_position(start + static_cast<uint64_t>(s) * kShardWords);
      tape.clear();
      optimizer.zero_grad();
      try {
        shard_losses = forward_backward(tape, sharding.shard, step, shard_rng, static_cast<float>(weight));
        if (shard_rng.position() - (start + static_cast<uint64_t>(s) * kShardWords) > kShardWords)
          throw std::logic_error("a shard drew more than 2^32 random words");
      } catch (const Error& thrown) {
        if (error.empty()) error = "shard " + std::to_string(s) + ": " + thrown.what();
        shard_losses.loss = shard_losses.objective = std::nan("");
      }
      int64_t at = 0;
      for (const nn::NamedParameter& named : parameters) {
        const Tensor& g = named.parameter->grad();
        std::copy(g.data(), g.data() + g.numel(), gradient.data() + at);
        at += g.numel();
      }
    }
    losses.insert(losses.end(), {weight, shard_losses.loss, shard_losses.reconstruction, shard_losses.kl,
                                 shard_losses.objective});
  }
  const auto summing = std::chrono::steady_clock::now();
  sum_shard_gradients(sharding.gradients, shards, floats, sharding.sum);
  const std::vector<double> all_losses = Processes::gather(losses);
  sharding.sum_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - summing).count();
  rng.set_position(start + static_cast<uint64_t>(shards) * kShardWords);
  // The batch's losses: the shards' in shard order, each weighted by its share.
  StepLosses total;
  for (size_t at = 0; at < all_losses.size(); at += 5) {
    const double weight = all_losses[at];
    if (weight == 0) continue;
    total.loss += weight * all_losses[at + 1];
    total.reconstruction += weight * all_losses[at + 2];
    total.kl += weight * all_losses[at + 3];
    total.objective += weight * all_losses[at + 4];
  }
  int64_t at = 0;
  for (const nn::NamedParameter& named : parameters) {
    Tensor& g = named.parameter->grad();
    std::copy(sharding.sum.data() + at, sharding.sum.data() + at + g.numel(), g.data());
    at += g.numel();
  }
  return total;
}

// One step of stochastic gradient descent on the minibatch estimate of the loss
// (Algorithm 1 of Kingma & Welling for the VAE): forward, backward, then the update.
// A loss that is not finite, or a forward that throws (a distribution refusing a scale
// of 0), is divergence: it is returned before the update, so that the weights keep
// what the last good step left. `measure`: the update is measured into it.
StepLosses train_step(const ForwardBackward& forward_backward, Tape& tape, const datasets::Batch& batch,
                      int64_t step, nn::Optimizer& optimizer, Rng& rng, Sharding& sharding, std::string& diverged,
                      LayerStatistics* measure) {
  StepLosses losses;
  if (sharding.plain()) {
    tape.clear();
    optimizer.zero_grad();
    losses = forward_backward(tape, batch, step, rng, 1.0f);
  } else {
    std::string error;
    losses = sharded_forward_backward(forward_backward, tape, batch, step, optimizer, rng, sharding, error);
    if (!std::isfinite(losses.loss) && !error.empty()) {
      diverged = error;
      return losses;
    }
  }
  if (!std::isfinite(losses.loss) || !std::isfinite(losses.objective)) {
    diverged = "the loss became " + format("%g", losses.loss);
    return losses;
  }
  if (measure != nullptr)
    *measure = measured_step(optimizer);
  else
    optimizer.step();
  return losses;
}

// --- the epoch runner -----------------------------------------------------------------

// An epoch's averages over its training images, and its speed.
struct EpochTotals {
  double loss = 0, reconstruction = 0, kl = 0;
  int64_t images = 0;
  LayerStatistics layers;  // of the epoch's last step, when measured
  double seconds = 0, images_per_second = 0;
  double sum_seconds = -1;  // summing shard gradients (data_parallel.h); -1: the plain step
  double mean(double sum) const { return sum / static_cast<double>(images); }
};

// What a model does after each epoch's steps: evaluate, add its log lines and save its
// checkpoint (last: the checkpoint commits the epoch). Returns the epoch's line and a
// warning ("" for none).
struct EpochReport {
  std::string line, warning;
  std::string metrics_line;  // the epoch's metrics.jsonl line, for an observer
};
using EndOfEpoch = std::function<EpochReport(int epoch, int64_t step, const EpochTotals& totals)>;

// Epochs done.epoch + 1 to options.epochs: each a pass over the shuffled training set
// in train_steps, then end_epoch. Stops the run, naming the last good checkpoint, when
// a step diverges; an error at the run's very first step is the set-up's, and passes.
// options.observer hears of every step and epoch, and may stop the run (StopRequested).
// Under several processes every one runs this loop in step; rank 0 alone writes.
int run_epochs(const TrainingOptions& options, const nn::TrainingProgress& done, datasets::Batcher& batcher,
               nn::Optimizer& optimizer, Rng& rng, const std::string& checkpoint_path, nn::Module& model,
               bool measure_layers, const ForwardBackward& forward_backward, const EndOfEpoch& end_epoch) {
  Progress progress(options.epochs, batcher.batches_per_epoch(), Processes::root());
  Tape tape;
  Sharding sharding{.shards = options.shards};
  int64_t step = static_cast<int64_t>(done.step);
  uint64_t checkpoint_epoch = done.epoch;  // the last checkpoint written or resumed from
  int epochs_run = 0;
  TrainingObserver* observer = options.observer;
  bool observer_measures = false;  // the observer asked for the next step's update to be measured
  LayerStatistics observed_layers;
  if (observer != nullptr) observer->started(model, done);
  for (int epoch = static_cast<int>(done.epoch) + 1; epoch <= options.epochs; ++epoch) {
    progress.start_epoch(epoch);
    batcher.start_epoch(epoch);
    EpochTotals totals;
    int64_t batch_index = 0;
    while (const datasets::Batch* batch = batcher.next()) {
      if (observer != nullptr && observer->stop_requested()) throw StopRequested(checkpoint_epoch);
      const bool last = batch_index + 1 == batcher.batches_per_epoch();
      std::string diverged;
      StepLosses losses;
      LayerStatistics* measure = measure_layers && last ? &totals.layers : nullptr;
      if (measure == nullptr && observer_measures) measure = &observed_layers;
      try {
        losses = train_step(forward_backward, tape, *batch, step, optimizer, rng, sharding, diverged, measure);
      } catch (const Error& error) {
        if (step == static_cast<int64_t>(done.step)) throw;
        diverged = error.what();
      }
      if (!diverged.empty()) stop_diverged(checkpoint_path, diverged, epoch, step + 1, optimizer, checkpoint_epoch);
      ++step;
      const auto images = static_cast<double>(batch->size);
      totals.loss += losses.loss * images;
      totals.reconstruction += losses.reconstruction * images;
      totals.kl += losses.kl * images;
      totals.images += batch->size;
      progress.batch_done(batch_index, batch->size, totals.mean(totals.loss));
      if (observer != nullptr)
        observer_measures = observer->step_done({.epoch = epoch, .batch_index = batch_index,
                                                 .batches_per_epoch = batcher.batches_per_epoch(), .step = step,
                                                 .loss = losses.loss, .running_loss = totals.mean(totals.loss),
                                                 .reconstruction = losses.reconstruction, .kl = losses.kl,
                                                 .layers = measure},
                                                model);
      ++batch_index;
    }
    if (!sharding.plain()) totals.sum_seconds = std::exchange(sharding.sum_seconds, 0.0);
    totals.seconds = progress.epoch_seconds();
    totals.images_per_second = progress.images_per_second();
    const EpochReport report = end_epoch(epoch, step, totals);
    checkpoint_epoch = static_cast<uint64_t>(epoch);
    ++epochs_run;
    if (!options.quiet && Processes::root()) progress.end_epoch(report.line);
    if (!report.warning.empty()) say(options, report.warning);
    if (observer != nullptr) observer->epoch_done(epoch, report.metrics_line, model);
  }
  return epochs_run;
}

// --- the VAE and CVAE -----------------------------------------------------------------

Configuration vae_configuration(const TrainingOptions& options, const VaeConfig& config,
                                const datasets::TrainTest& data) {
  Configuration configuration = common_configuration(options, data);
  configuration.insert({{"model", config.conditions > 0 ? "cvae" : "vae"},
                        {"--architecture", to_string(config.architecture)},
                        {"--hidden", sizes_text(config.hidden)},
                        {"--latent", std::to_string(config.latent)},
                        {"--activation", nn::to_string(config.activation)},
                        {"--init", config.init ? nn::to_string(*config.init) : "default"},
                        {"--likelihood", to_string(config.likelihood)},
                        {"--posterior", to_string(config.posterior)},
                        {"--learned-prior", config.learned_prior ? "yes" : "no"},
                        {"--beta", number_text(options.beta)},
                        {"--warmup-epochs", std::to_string(options.warmup_epochs)},
                        {"--free-bits", number_text(options.free_bits)}});
  // Recorded only when there is more than one (runs before --shards existed had one).
  if (options.shards > 1) configuration.insert({"--shards", std::to_string(options.shards)});
  return configuration;
}

// The judge of a CVAE's samples (--judge), checked against the data; null without one.
std::unique_ptr<Classifier> load_judge(const TrainingOptions& options, const VaeConfig& config) {
  if (options.judge.empty()) return nullptr;
  std::unique_ptr<Classifier> judge;
  try {
    judge = load_classifier(options.judge);
  } catch (const Error& error) {
    refuse("--judge: ", error.what());
  }
  if (judge->config().inputs != config.inputs || judge->config().classes != config.conditions)
    refuse("--judge: '", options.judge, "' classifies images of ", judge->config().inputs, " pixels into ",
           judge->config().classes, " classes; --data has images of ", config.inputs, " pixels in ", config.conditions,
           " classes");
  return judge;
}

// The VAE's run; `phase` says what it is doing, for a message if memory runs out.
TrainingResult run_vae(const TrainingOptions& options, const VaeConfig& config, const datasets::TrainTest& data,
                       std::string& phase) {
  const bool conditional = config.conditions > 0;
  // Checked first, all of it, with nothing written (InputError: the programs exit 2).
  phase = "checking the run";
  if (data.train.pixels_per_image() != config.inputs)
    refuse("--data: images have ", data.train.pixels_per_image(), " pixels, the model reads ", config.inputs);
  if (conditional && !data.train.labelled())
    refuse("--data: a CVAE needs labels, and '", data.train.name, "' has none");
  if (conditional && options.digit >= config.conditions)
    refuse("--digit: ", options.digit, " is not a class of --data, whose classes are 0 to ", config.conditions - 1);
  std::unique_ptr<Classifier> judge = load_judge(options, config);
  check_shards(options);
  phase = "building the model";
  Rng init_rng(options.seed);
  Vae vae(config, init_rng);
  std::unique_ptr<nn::Optimizer> optimizer =
      nn::make_optimizer(options.optimizer, vae.named_parameters(), options.learning_rate, options.weight_decay);
  Rng sampling_rng(options.seed, kSamplingStream);
  datasets::Batcher batcher(data.train, {.batch_size = options.batch, .one_hot = conditional,
                                         .binarization = options.binarization, .seed = options.seed});
  RunLog metrics("metrics.jsonl"), layers("layers.tsv", layers_header(*optimizer));
  const Configuration configuration = vae_configuration(options, config, data);
  check_processes_agree(options, configuration);
  phase = "reading the checkpoint to resume";
  const nn::TrainingProgress done = check_and_resume(options, configuration, data, batcher.batches_per_epoch(), vae,
                                                     *optimizer, sampling_rng, {&metrics, &layers});
  // Now the folder is ours: one run at a time, written by rank 0 alone.
  const std::unique_ptr<RunFolder> folder = claim_folder(options, conditional ? "train_cvae" : "train_vae");
  const std::string checkpoint_path = (std::filesystem::path(options.out) / "checkpoint.aevb").string();
  if (!options.resume.empty())
    say(options, "resumed from " + options.resume + " after epoch " + std::to_string(done.epoch));
  phase = "preparing the test set";
  const EvaluationSet test = evaluation_set(data.test, options.binarization, options.seed, conditional);
  say(options, std::string(conditional ? "CVAE" : "VAE") + ": " + std::to_string(vae.parameter_count()) +
                   " parameters, latent " + std::to_string(config.latent) + ", " + to_string(config.posterior) +
                   " posterior, " + to_string(config.likelihood) + " likelihood, " + nn::to_string(options.optimizer) +
                   " lr " + format("%g", options.learning_rate) + ", " + std::to_string(data.train.count) +
                   " training images");

  phase = "training";
  const int64_t warmup_steps = static_cast<int64_t>(options.warmup_epochs) * batcher.batches_per_epoch();
  // The ELBO of the minibatch with one noise draw per image (Section 2.3), its KL
  // weighted by beta and the warm-up.
  auto forward_backward = [&](Tape& tape, const datasets::Batch& batch, int64_t step, Rng& rng, float weight) {
    const float warmup =
        warmup_steps > 0 ? std::min(1.0f, static_cast<float>(step + 1) / static_cast<float>(warmup_steps)) : 1.0f;
    Var condition = conditional ? tape.input(batch.one_hot) : Var();
    ElboTerms terms = vae.elbo(tape.input(batch.images), condition, rng,
                               {.kl_weight = options.beta * warmup, .free_bits = options.free_bits});
    StepLosses losses;
    losses.reconstruction = terms.reconstruction.item();
    losses.kl = terms.kl.item();
    losses.loss = losses.reconstruction + losses.kl;
    tape.backward(weight == 1.0f ? terms.loss : terms.loss * weight);
    losses.objective = terms.loss.item();
    return losses;
  };
  TrainingResult result;
  auto end_epoch = [&](int epoch, int64_t step, const EpochTotals& totals) {
    Rng evaluation_rng(options.seed, kEvaluationStream + static_cast<uint64_t>(epoch));
    const VaeEvaluation evaluation = evaluate_vae(vae, test, evaluation_rng);
    int active = 0;
    for (double kl : evaluation.kl_per_dimension) active += kl > 0.01;
    JsonLine per_layer;
    const LayerStatistics& measured = totals.layers;
    for (size_t p = 0; p < measured.names.size(); ++p)
      per_layer.add_object(measured.names[p], JsonLine()
                                                  .add("gradient_norm", measured.gradient_norm[p])
                                                  .add("weight_norm", measured.weight_norm[p])
                                                  .add("update_ratio", measured.update_ratio[p]));
    JsonLine line = JsonLine()
                    .add("epoch", epoch)
                    .add("train_neg_elbo", totals.mean(totals.loss))
                    .add("train_recon", totals.mean(totals.reconstruction))
                    .add("train_kl", totals.mean(totals.kl))
                    .add("test_neg_elbo", evaluation.neg_elbo)
                    .add("test_recon", evaluation.reconstruction)
                    .add("test_kl", evaluation.kl)
                    .add("active_units", active)
                    .add("seconds", totals.seconds)
                    .add("images_per_second", totals.images_per_second)
                    .add_numbers("test_kl_per_dimension", evaluation.kl_per_dimension)
                    .add_object("layers", per_layer);
    if (totals.sum_seconds >= 0) line.add("gradient_sum_seconds", totals.sum_seconds);
    const std::string metrics_line = line.str();
    metrics.add(metrics_line);
    if (!measured.names.empty()) layers.add(layers_row(epoch, measured));
    if (folder) {
      metrics.write(*folder);
      if (!measured.names.empty()) layers.write(*folder);
      // The checkpoint last: it commits the epoch. A kill before it leaves log lines of an
      // epoch the checkpoint lacks, which resume drops and computes again, the same.
      nn::save_checkpoint(checkpoint_path, vae, *optimizer, sampling_rng,
                          {static_cast<uint64_t>(epoch), static_cast<uint64_t>(step)}, configuration);
    }
    result.test_neg_elbo = evaluation.neg_elbo;
    EpochReport report;
    report.metrics_line = metrics_line;
    report.line = format("train -ELBO %.2f  test -ELBO %.2f (recon %.2f", totals.mean(totals.loss),
                         evaluation.neg_elbo, evaluation.reconstruction) +
                  format(", KL %.2f)", evaluation.kl);
    if (config.latent > 1 && active * 2 < config.latent)
      report.warning = "warning: only " + std::to_string(active) + " of " + std::to_string(config.latent) +
                       " latent units are active (KL > 0.01 nats): most have collapsed to the prior";
    return report;
  };
  result.epochs_run = run_epochs(options, done, batcher, *optimizer, sampling_rng, checkpoint_path, vae, true,
                                 forward_backward, end_epoch);
  if (result.epochs_run == 0) {  // nothing left to train: the last epoch's evaluation, drawn again identically
    Rng evaluation_rng(options.seed, kEvaluationStream + done.epoch);
    result.test_neg_elbo = evaluate_vae(vae, test, evaluation_rng).neg_elbo;
  }
  if (!folder) return result;  // the rest is rank 0's: pictures and estimates

  phase = "drawing the pictures";
  Rng picture_rng(options.seed, kPictureStream);
  write_vae_pictures(vae, options.out, data.test, test, options.digit, picture_rng);
  if (const std::string note = draw_plots(*folder, metrics, &layers, kVaeCurves, optimizer->parameters().size());
      !note.empty())
    say(options, note);
  JsonLine final_line;
  final_line.add_bool("final", true).add("epochs", options.epochs).add("test_neg_elbo", result.test_neg_elbo);
  if (options.eval_k > 0) {
    phase = "estimating -log p(x)";
    Rng estimate_rng(options.seed, kEstimateStream);
    result.test_neg_log_likelihood = negative_log_likelihood(
        vae, {test.images.data(), conditional ? test.one_hot.data() : nullptr, test.images.shape()[0]}, options.eval_k,
        estimate_rng);
    final_line.add("test_neg_log_likelihood", result.test_neg_log_likelihood).add("eval_k", options.eval_k);
    say(options, format("test -log p(x) ~ %.2f nats (importance sampling, K = %.0f); test -ELBO %.2f",
                        result.test_neg_log_likelihood, static_cast<double>(options.eval_k), result.test_neg_elbo));
  }
  if (judge) {
    phase = "judging the samples";
    Rng judge_rng(options.seed, kJudgeStream);
    const std::vector<double> per_class = conditional_accuracy(vae, *judge, kJudgedPerClass, judge_rng);
    double average = 0;
    std::string line = "conditional accuracy (judge on 1000 samples per class):";
    for (size_t c = 0; c < per_class.size(); ++c) {
      line += format(" %.0f:", static_cast<double>(c)) + format("%.1f%%", 100 * per_class[c]);
      average += per_class[c] / static_cast<double>(per_class.size());
    }
    say(options, line);
    const double judge_accuracy = judge->accuracy(data.test);
    say(options, format("conditional accuracy %.2f%% on average; the judge labels %.2f%% of real test digits right",
                        100 * average, 100 * judge_accuracy));
    final_line.add("conditional_accuracy", average).add("judge_test_accuracy", judge_accuracy);
  }
  metrics.add(final_line.str());
  metrics.write(*folder);
  return result;
}

// --- the autoencoder ------------------------------------------------------------------

const char* to_string(Denoising denoising) {
  switch (denoising) {
    case Denoising::none: return "none";
    case Denoising::gaussian: return "gaussian";
    case Denoising::mask: return "mask";
  }
  return "?";
}

TrainingResult run_autoencoder(const TrainingOptions& options, const AutoencoderConfig& config, Denoising denoising,
                               float noise, const datasets::TrainTest& data, std::string& phase) {
  phase = "checking the run";
  if (data.train.pixels_per_image() != config.inputs)
    refuse("--data: images have ", data.train.pixels_per_image(), " pixels, the model reads ", config.inputs);
  if (!std::isfinite(noise) || noise < 0.0f || noise > 1.0f) refuse("--noise: ", noise, " is outside [0 - 1]");
  check_shards(options);
  phase = "building the model";
  Rng init_rng(options.seed);
  Autoencoder autoencoder(config, init_rng);
  std::unique_ptr<nn::Optimizer> optimizer = nn::make_optimizer(options.optimizer, autoencoder.named_parameters(),
                                                                options.learning_rate, options.weight_decay);
  Rng noise_rng(options.seed, kSamplingStream);
  datasets::Batcher batcher(data.train,
                            {.batch_size = options.batch, .binarization = options.binarization, .seed = options.seed});
  RunLog metrics("metrics.jsonl");
  Configuration configuration = common_configuration(options, data);
  configuration.insert({{"model", "ae"},
                        {"--architecture", to_string(config.architecture)},
                        {"--hidden", sizes_text(config.hidden)},
                        {"--latent", std::to_string(config.code)},
                        {"--activation", nn::to_string(config.activation)},
                        {"--denoise", to_string(denoising)},
                        {"--noise", number_text(noise)}});
  if (options.shards > 1) configuration.insert({"--shards", std::to_string(options.shards)});
  check_processes_agree(options, configuration);
  phase = "reading the checkpoint to resume";
  const nn::TrainingProgress done = check_and_resume(options, configuration, data, batcher.batches_per_epoch(),
                                                     autoencoder, *optimizer, noise_rng, {&metrics});
  const std::unique_ptr<RunFolder> folder = claim_folder(options, "train_ae");
  const std::string checkpoint_path = (std::filesystem::path(options.out) / "checkpoint.aevb").string();
  phase = "preparing the test set";
  const EvaluationSet test = evaluation_set(data.test, options.binarization, options.seed, false);
  const Corruption corrupt = [&](Tensor& images, Rng& rng) {
    if (denoising == Denoising::gaussian) datasets::add_gaussian_noise(images, noise, rng);
    if (denoising == Denoising::mask) datasets::apply_masking_noise(images, noise, rng);
  };
  say(options, std::string(denoising == Denoising::none ? "autoencoder" : "denoising autoencoder") + ": " +
                   std::to_string(autoencoder.parameter_count()) + " parameters, code " + std::to_string(config.code));

  phase = "training";
  Tensor corrupted;
  // The reconstruction loss of the batch from its corrupted copy (a plain
  // autoencoder's copy is the batch itself).
  auto forward_backward = [&](Tape& tape, const datasets::Batch& batch, int64_t, Rng& rng, float weight) {
    corrupted = batch.images;
    corrupt(corrupted, rng);
    Var loss = autoencoder.loss(tape.input(corrupted), tape.input(batch.images));
    tape.backward(weight == 1.0f ? loss : loss * weight);
    StepLosses losses;
    losses.loss = losses.reconstruction = losses.objective = loss.item();
    return losses;
  };
  TrainingResult result;
  auto test_loss = [&](uint64_t stream) {
    Rng rng(options.seed, stream);
    return evaluate_autoencoder(autoencoder, test, corrupt, rng);
  };
  auto end_epoch = [&](int epoch, int64_t step, const EpochTotals& totals) {
    const double test_recon = test_loss(kEvaluationStream + static_cast<uint64_t>(epoch));
    JsonLine line = JsonLine()
                        .add("epoch", epoch)
                        .add("train_recon", totals.mean(totals.loss))
                        .add("test_recon", test_recon)
                        .add("seconds", totals.seconds)
                        .add("images_per_second", totals.images_per_second);
    if (totals.sum_seconds >= 0) line.add("gradient_sum_seconds", totals.sum_seconds);
    const std::string metrics_line = line.str();
    metrics.add(metrics_line);
    if (folder) {
      metrics.write(*folder);
      nn::save_checkpoint(checkpoint_path, autoencoder, *optimizer, noise_rng,
                          {static_cast<uint64_t>(epoch), static_cast<uint64_t>(step)},
                          configuration);  // commits the epoch
    }
    result.test_neg_elbo = test_recon;
    return EpochReport{format("train recon %.2f  test recon %.2f nats", totals.mean(totals.loss), test_recon), "",
                       metrics_line};
  };
  result.epochs_run = run_epochs(options, done, batcher, *optimizer, noise_rng, checkpoint_path, autoencoder, false,
                                 forward_backward, end_epoch);
  if (result.epochs_run == 0) result.test_neg_elbo = test_loss(kEvaluationStream);
  if (!folder) return result;  // the pictures are rank 0's

  phase = "drawing the pictures";
  Rng picture_rng(options.seed, kPictureStream);
  write_autoencoder_pictures(autoencoder, options.out, data.test, test, denoising != Denoising::none, corrupt,
                             picture_rng);
  if (const std::string note = draw_plots(*folder, metrics, nullptr, kAutoencoderCurves, 0); !note.empty())
    say(options, note);
  metrics.add(
      JsonLine().add_bool("final", true).add("epochs", options.epochs).add("test_recon", result.test_neg_elbo).str());
  metrics.write(*folder);
  return result;
}

// Out of memory names what the run was doing and how big the model is.
template <class Run>
TrainingResult with_named_allocation_failure(const std::string& program, Run run) {
  std::string phase = "starting";
  try {
    return run(phase);
  } catch (const std::bad_alloc&) {
    fail(program, ": out of memory while ", phase, " (a smaller --hidden, --batch or data set needs less)");
  }
}

}  // namespace

Denoising parse_denoising(const std::string& name) {
  if (name == "none") return Denoising::none;
  if (name == "gaussian") return Denoising::gaussian;
  if (name == "mask") return Denoising::mask;
  fail("unknown denoising '", name, "': expected gaussian or mask");
}

TrainingResult train_vae(const TrainingOptions& options, const VaeConfig& config, const datasets::TrainTest& data) {
  return with_named_allocation_failure(config.conditions > 0 ? "train_cvae" : "train_vae",
                                       [&](std::string& phase) { return run_vae(options, config, data, phase); });
}

TrainingResult train_autoencoder(const TrainingOptions& options, const AutoencoderConfig& config, Denoising denoising,
                                 float noise, const datasets::TrainTest& data) {
  return with_named_allocation_failure("train_ae", [&](std::string& phase) {
    return run_autoencoder(options, config, denoising, noise, data, phase);
  });
}

// --- a trained VAE, for other programs ------------------------------------------------

namespace {

// A checkpoint a training program wrote, with the configuration it records; `text`
// refuses, naming the program's flag, a key the file lacks.
struct RunCheckpoint {
  std::string path, flag;
  nn::CheckpointContents contents;
  const std::string& text(const std::string& key) const {
    auto found = contents.texts.find(key);
    if (found == contents.texts.end())
      refuse(flag, ": '", path, "' records no ", key, " (it was not written by train_vae, train_cvae or train_ae)");
    return found->second;
  }
  // A key that runs before it existed did not record: their value was `fallback`.
  std::string text_or(const std::string& key, const std::string& fallback) const {
    auto found = contents.texts.find(key);
    return found == contents.texts.end() ? fallback : found->second;
  }
  // The model is one of `models` and was trained on `data`.
  void check_model_and_data(std::initializer_list<const char*> models, const char* expected,
                            const datasets::TrainTest& data) const {
    bool known = false;
    for (const char* model : models) known = known || text("model") == model;
    if (!known) refuse(flag, ": '", path, "' holds a ", text("model"), ", not ", expected);
    if (text("--data") != data_identity(data))
      refuse(flag, ": '", path, "' was trained on ", text("--data"), ", not on --data (", data_identity(data), ")");
  }
  void load_values(nn::Module& model) const {
    try {
      nn::load_model(path, model);
    } catch (const Error& error) {
      refuse(flag, ": ", error.what());
    }
  }
};

RunCheckpoint read_run_checkpoint(const std::string& path, const std::string& flag) {
  RunCheckpoint checkpoint{path, flag, {}};
  try {
    checkpoint.contents = nn::read_checkpoint_file(path);
  } catch (const Error& error) {
    refuse(flag, ": ", error.what());
  }
  return checkpoint;
}

// A configuration value that does not parse is the file's fault, named as such.
template <class Read>
void reading_configuration(const RunCheckpoint& checkpoint, Read read) {
  try {
    read();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& error) {
    refuse(checkpoint.flag, ": '", checkpoint.path, "' records a configuration this program cannot read (",
           error.what(), ")");
  }
}

}  // namespace

TrainedVae load_trained_vae(const std::string& path, const datasets::TrainTest& data, const std::string& flag,
                            bool conditional_too) {
  const RunCheckpoint checkpoint = read_run_checkpoint(path, flag);
  const bool conditional = conditional_too && checkpoint.text("model") == "cvae";
  if (conditional_too)
    checkpoint.check_model_and_data({"vae", "cvae"}, "a VAE or CVAE", data);
  else
    checkpoint.check_model_and_data({"vae"}, "a VAE", data);
  TrainedVae trained;
  VaeConfig config;
  reading_configuration(checkpoint, [&] {
    config.inputs = data.train.pixels_per_image();
    config.architecture = parse_architecture(checkpoint.text_or("--architecture", "mlp"));
    config.image_height = data.train.rows;
    config.image_width = data.train.columns;
    config.hidden = sizes_from_text(checkpoint.text("--hidden"));
    config.latent = std::stoll(checkpoint.text("--latent"));
    config.activation = nn::parse_activation(checkpoint.text("--activation"));
    if (checkpoint.text("--init") != "default") config.init = nn::parse_init(checkpoint.text("--init"));
    if (conditional) {
      config.conditions = data.train.classes;
      config.learned_prior = checkpoint.text("--learned-prior") == "yes";
    }
    config.likelihood = parse_likelihood(checkpoint.text("--likelihood"));
    config.posterior = parse_posterior(checkpoint.text("--posterior"));
    trained.binarization = datasets::parse_binarization(checkpoint.text("--binarize"));
    trained.seed = std::stoull(checkpoint.text("--seed"));
  });
  Rng unused(0);
  trained.vae = std::make_unique<Vae>(config, unused);
  checkpoint.load_values(*trained.vae);
  return trained;
}

std::unique_ptr<Autoencoder> load_trained_autoencoder(const std::string& path, const datasets::TrainTest& data,
                                                      const std::string& flag) {
  const RunCheckpoint checkpoint = read_run_checkpoint(path, flag);
  checkpoint.check_model_and_data({"ae"}, "an autoencoder", data);
  AutoencoderConfig config;
  reading_configuration(checkpoint, [&] {
    config.inputs = data.train.pixels_per_image();
    config.architecture = parse_architecture(checkpoint.text_or("--architecture", "mlp"));
    config.image_height = data.train.rows;
    config.image_width = data.train.columns;
    config.hidden = sizes_from_text(checkpoint.text("--hidden"));
    config.code = std::stoll(checkpoint.text("--latent"));
    config.activation = nn::parse_activation(checkpoint.text("--activation"));
  });
  Rng unused(0);
  auto autoencoder = std::make_unique<Autoencoder>(config, unused);
  checkpoint.load_values(*autoencoder);
  return autoencoder;
}

}  // namespace aevb::models
