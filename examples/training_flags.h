// The flags the training programs share, and their validation: a bad flag gives one
// line naming the flag and what it accepts, exit status 2, and --out is left untouched
// (everything is checked, the data set loaded, before anything is written).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/error.h"
#include "autodiff/files.h"
#include "autodiff/kernels/gemm.h"
#include "datasets/sources.h"
#include "examples/cli.h"
#include "models/architecture.h"
#include "models/training.h"
#include "nn/init.h"
#include "nn/layers.h"

namespace aevb::examples {

struct ModelFlags {
  std::string data = "mnist-subset";
  std::string architecture = "mlp";
  std::string hidden_sizes;  // checked by size_list; empty: the architecture's default (400, or 32,64)
  std::vector<int64_t> hidden() const {
    return hidden_sizes.empty() ? models::default_hidden(models::parse_architecture(architecture))
                                : sizes_of(hidden_sizes);
  }
  // The network the flags ask for, on images of the data's size (checked by parse_training_flags).
  models::NetworkShape network(const datasets::TrainTest& data) const {
    return {models::parse_architecture(architecture), hidden(), data.train.rows, data.train.columns};
  }
  int64_t latent = 20;
  std::string activation = "relu";
  std::string binarize = "none";
  // PyTorch's Linear default: with it the classic VAE matches the PyTorch reference
  // (README, Results); "default" picks he_uniform for relu, glorot_uniform for tanh.
  std::string init = "torch_uniform";
  int threads = 0;  // 0: OMP_NUM_THREADS or all cores
  std::optional<nn::Init> chosen_init() const {
    return init == "default" ? std::nullopt : std::optional<nn::Init>(nn::parse_init(init));
  }
};

inline void add_training_flags(CLI::App& app, models::TrainingOptions& options, ModelFlags& model, bool variational) {
  app.add_option("--data", model.data, "mnist-subset, fashion-mnist, idx:DIR or frey:FILE");
  app.add_option("--epochs", options.epochs, "passes over the training set")->check(CLI::Range(1, 100000));
  app.add_option("--batch", options.batch, "minibatch size")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  app.add_option("--architecture", model.architecture,
                 "mlp (fully connected, the paper's) or conv (4x4 convolutions of stride 2, then a linear layer)")
      ->check(CLI::IsMember({"mlp", "conv"}));
  app.add_option("--hidden", model.hidden_sizes,
                 "hidden layer sizes, comma-separated (mlp: units, 400 or 500,500; conv: channels, 32,64)")
      ->check(size_list(65536));
  app.add_option("--latent", model.latent, variational ? "latent size Z" : "code size")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}));
  app.add_option("--activation", model.activation, aevb::or_list(nn::activation_names()))
      ->check(CLI::IsMember(nn::activation_names()));
  app.add_option("--init", model.init,
                 "torch_uniform (PyTorch's Linear default, the default here), default "
                 "(he_uniform for relu, glorot_uniform for tanh), he_uniform, he_normal, glorot_uniform, glorot_normal")
      ->check(
          CLI::IsMember({"default", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "torch_uniform"}));
  app.add_option_function<std::string>(
         "--optimizer", [&options](const std::string& name) { options.optimizer = nn::parse_optimizer(name); },
         aevb::or_list(nn::optimizer_names()))
      ->check(CLI::IsMember(nn::optimizer_names()))
      ->default_str(nn::to_string(options.optimizer));
  app.add_option("--lr", options.learning_rate, "learning rate")->check(finite_range(1e-8, 10));
  app.add_option("--weight-decay", options.weight_decay, "L2 weight decay (a Gaussian prior on the parameters)")
      ->check(finite_range(0, 1));
  app.add_option("--binarize", model.binarize, "none, static, threshold or dynamic")
      ->check(CLI::IsMember({"none", "static", "threshold", "dynamic"}));
  app.add_option("--seed", options.seed, "random seed")->check(unsigned_64());
  add_threads_flag(app, model.threads);
  app.add_option("--out", options.out, "output folder (one run at a time; created if missing)");
  app.add_option("--resume", options.resume, "a checkpoint.aevb to continue from, trained with the same flags");
  if (variational) {
    app.add_option("--beta", options.beta, "weight of the KL term")->check(finite_range(0, 1000));
    app.add_option("--warmup-epochs", options.warmup_epochs, "epochs over which the KL weight rises from 0")
        ->check(CLI::Range(0, 100000));
    app.add_option("--free-bits", options.free_bits, "nats per latent dimension below which KL is not penalized")
        ->check(finite_range(0, 100));
    app.add_option("--eval-k", options.eval_k, "importance samples for the final -log p(x) estimate (0 skips)")
        ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  }
}

// Parses and validates; returns -1 to go on, else the exit status.
inline int parse_training_flags(CLI::App& app, int argc, char** argv, models::TrainingOptions& options,
                                const ModelFlags& model, datasets::TrainTest& data) {
  if (int status = parse_flags(app, argc, argv); status >= 0) return status;
  options.binarization = datasets::parse_binarization(model.binarize);
  if (model.threads > 0) kernels::set_thread_count(model.threads);
  try {
    data = datasets::load_dataset(model.data);
  } catch (const std::exception& error) {
    std::cerr << "--data: " << error.what() << "\n";
    return 2;
  }
  try {
    models::check_network_shape(model.network(data), data.train.pixels_per_image());
  } catch (const std::exception& error) {
    std::cerr << "--architecture " << model.architecture << ": " << error.what() << "\n";
    return 2;
  }
  return -1;
}

// Runs the training, turning an error into a message: exit status 2 for a refused
// input (found before anything was written: --out is as it was), 1 for anything else.
template <class Run>
int run_training(const char* program, Run run) {
  files::remove_partial_file_on_signals();
  try {
    run();
    return 0;
  } catch (const InputError& refused) {
    std::cerr << refused.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << program << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace aevb::examples
