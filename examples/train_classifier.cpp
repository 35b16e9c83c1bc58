// train_classifier: an MLP digit classifier, the judge of the CVAE's conditional samples.
//   train_classifier [--data mnist-subset] [--epochs 20] [--batch 128] [--hidden 512,256]
//                    [--lr 0.001] [--seed 1] [--threads N] [--out DIR]
// Writes DIR/classifier.aevb (the model and its configuration) after every epoch.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "autodiff/files.h"
#include "autodiff/kernels/gemm.h"
#include "examples/cli.h"
#include "models/run_folder.h"
#include "models/run_log.h"
#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "models/progress.h"
#include "models/classifier.h"
#include "nn/losses.h"
#include "nn/optimizer.h"

namespace {

struct Options {
  std::string data = "mnist-subset";
  int epochs = 20;
  int64_t batch = 128;
  std::string hidden = "512,256";
  float learning_rate = 1e-3f;
  uint64_t seed = 1;
  std::string out = "classifier-out";
  int threads = 0;  // 0: OMP_NUM_THREADS or all cores
};

int run(const Options& options, const aevb::datasets::TrainTest& data) {
  using namespace aevb;
  if (!data.train.labelled()) refuse("--data: '", options.data, "' has no labels to learn");
  models::RunFolder::check_usable(options.out, {"classifier.aevb", "metrics.jsonl", "curves.png", "curves.gnuplot"});
  const models::RunFolder folder(options.out, "train_classifier");
  const std::string model_path = folder.path("classifier.aevb");

  Rng rng(options.seed);
  models::ClassifierConfig config{data.train.pixels_per_image(), examples::sizes_of(options.hidden), data.train.classes,
                                  nn::Activation::relu};
  models::Classifier classifier(config, rng);
  nn::Adam adam(classifier.named_parameters(), {.learning_rate = options.learning_rate});
  datasets::Batcher batcher(data.train, {.batch_size = options.batch, .one_hot = true, .seed = options.seed});
  std::printf("train_classifier: %s, %lld training and %lld test images, MLP %lld", options.data.c_str(),
              static_cast<long long>(data.train.count), static_cast<long long>(data.test.count),
              static_cast<long long>(config.inputs));
  for (int64_t h : config.hidden) std::printf("-%lld", static_cast<long long>(h));
  std::printf("-%lld (relu), %lld parameters, Adam lr %g, batch %lld\n", static_cast<long long>(config.classes),
              static_cast<long long>(classifier.parameter_count()), options.learning_rate,
              static_cast<long long>(options.batch));

  models::Progress progress(options.epochs, batcher.batches_per_epoch());
  Tape tape;
  double test_accuracy = 0;
  models::RunLog metrics("metrics.jsonl");
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    progress.start_epoch(epoch);
    batcher.start_epoch(epoch);
    double loss_sum = 0;
    int64_t batches = 0, correct = 0, seen = 0;
    while (const datasets::Batch* batch = batcher.next()) {
      tape.clear();
      Var logits = classifier.logits(tape.input(batch->images));
      Var loss = nn::cross_entropy_with_logits(logits, tape.input(batch->one_hot));
      adam.zero_grad();
      tape.backward(loss);
      if (!std::isfinite(loss.item()))
        fail("training diverged at epoch ", epoch, ", batch ", batches + 1, ": the loss became ", loss.item(),
             " (a smaller --lr, now ", options.learning_rate, ", may converge); ", model_path,
             epoch > 1 ? " holds the last good epoch" : " was not written");
      adam.step();
      loss_sum += loss.item();
      correct +=
          static_cast<int64_t>(std::lround(nn::accuracy(logits, batch->labels) * static_cast<double>(batch->size)));
      seen += batch->size;
      ++batches;
      progress.batch_done(batches - 1, batch->size, loss_sum / static_cast<double>(batches));
    }
    test_accuracy = classifier.accuracy(data.test);
    const double seconds = progress.epoch_seconds();
    metrics.add(models::JsonLine()
                    .add("epoch", epoch)
                    .add("train_loss", loss_sum / static_cast<double>(batches))
                    .add("train_accuracy", static_cast<double>(correct) / static_cast<double>(seen))
                    .add("test_accuracy", test_accuracy)
                    .add("seconds", seconds)
                    .str());
    metrics.write(folder);
    models::save_classifier(model_path, classifier);
    char summary[160];
    std::snprintf(summary, sizeof summary, "train loss %.4f  train accuracy %.2f%%  test accuracy %.2f%%",
                  loss_sum / static_cast<double>(batches),
                  100.0 * static_cast<double>(correct) / static_cast<double>(seen), 100.0 * test_accuracy);
    progress.end_epoch(summary);
  }
  // curves.png: the loss and the accuracies per epoch.
  const std::string note = models::plot_with_gnuplot(
      folder, "curves",
      models::curves_script(
          metrics, {{"cross-entropy (lower is better)", {{"train_loss", "train"}}, "nats per image"},
                    {"accuracy", {{"train_accuracy", "train"}, {"test_accuracy", "test"}}, "fraction right"}}));
  if (!note.empty()) std::printf("%s\n", note.c_str());
  metrics.add(models::JsonLine()
                  .add_bool("final", true)
                  .add("epochs", options.epochs)
                  .add("test_accuracy", test_accuracy)
                  .str());
  metrics.write(folder);
  std::printf("final test accuracy %.2f%% on %lld test images; model saved to %s\n", 100.0 * test_accuracy,
              static_cast<long long>(data.test.count), model_path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Trains an MLP classifier of images (the judge of the CVAE's samples)"};
  app.add_option("--data", options.data, "mnist-subset, fashion-mnist, idx:DIR");
  app.add_option("--epochs", options.epochs, "passes over the training set")->check(CLI::Range(1, 100000));
  app.add_option("--batch", options.batch, "minibatch size")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  app.add_option("--hidden", options.hidden, "hidden layer sizes, comma-separated")
      ->check(aevb::examples::size_list(65536));
  app.add_option("--lr", options.learning_rate, "Adam's learning rate")->check(aevb::examples::finite_range(1e-7, 1));
  app.add_option("--seed", options.seed, "random seed")->check(aevb::examples::unsigned_64());
  app.add_option(
         "--threads", options.threads,
         "threads for large matrix products; results do not depend on it (default OMP_NUM_THREADS, else all cores)")
      ->check(CLI::Range(1, aevb::examples::kMostThreads));
  app.add_option("--out", options.out, "output folder (one run at a time; created if missing)");
  if (int status = aevb::examples::parse_flags(app, argc, argv); status >= 0) return status;
  if (options.threads > 0) aevb::kernels::set_thread_count(options.threads);
  aevb::files::remove_partial_file_on_signals();
  aevb::datasets::TrainTest data;
  try {  // before anything is written: a bad --data is a refused flag
    data = aevb::datasets::load_dataset(options.data);
  } catch (const std::exception& error) {
    std::cerr << "--data: " << error.what() << "\n";
    return 2;
  }
  try {
    return run(options, data);
  } catch (const aevb::InputError& refused) {
    std::cerr << refused.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "train_classifier: " << error.what() << "\n";
    return 1;
  }
}
