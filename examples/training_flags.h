// The flags the training programs share, and their validation: a bad flag gives one
// line naming the flag and what it accepts, exit status 2, and --out is left untouched
// (everything is checked, the data set loaded, before anything is written).
#pragma once

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

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
#include "models/data_parallel.h"
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
  app.add_option("--shards", options.shards,
                 "cut each batch into this many shards, whose gradients are summed in a fixed order; the result "
                 "depends on it, never on how many MPI processes compute them (default: the number of processes, "
                 "1 without mpirun)")
      ->check(CLI::Range(int64_t{1}, int64_t{65536}));
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

inline int parse_and_load(CLI::App& app, int argc, char** argv, models::TrainingOptions& options,
                          const ModelFlags& model, datasets::TrainTest& data) {
  if (int status = parse_flags(app, argc, argv); status >= 0) return status;
  if (options.shards == 0) options.shards = models::Processes::count();
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

// Parses and validates; returns -1 to go on, else the exit status.
inline int parse_training_flags(CLI::App& app, int argc, char** argv, models::TrainingOptions& options,
                                const ModelFlags& model, datasets::TrainTest& data) {
  options.shards = 0;  // not given: one per process
  // Under mpirun every process parses the same flags: rank 0 alone says what it refuses.
  const bool quiet = !models::Processes::root();
  std::fflush(stderr);
  const int saved_stderr = quiet ? dup(2) : -1;
  if (quiet) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2), close(null);
  }
  const int status = parse_and_load(app, argc, argv, options, model, data);
  if (quiet) {
    std::cerr.flush();
    std::fflush(stderr);
    if (saved_stderr >= 0) dup2(saved_stderr, 2), close(saved_stderr);
  }
  return status;
}


// Runs the training, turning an error into a message: exit status 2 for a refused
// input (found before anything was written: --out is as it was), 1 for anything else.
// Under mpirun, rank 0 says what was refused (every process refuses alike), any
// process says what else went wrong, naming itself, and the first error ends every
// process (MPI_Abort: the others may be waiting for it in a collective).
template <class Run>
int run_training(const char* program, Run run) {
  files::remove_partial_file_on_signals();
  const int rank = models::Processes::rank(), processes = models::Processes::count();
  const std::string who = processes > 1 && rank > 0 ? std::string(program) + " (process " + std::to_string(rank) +
                                                          " of " + std::to_string(processes) + ")"
                                                    : std::string(program);
  int status = 0;
  try {
    run();
  } catch (const InputError& refused) {
    if (rank == 0) std::cerr << refused.what() << "\n";
    status = 2;
  } catch (const std::exception& error) {
    std::cerr << who << ": " << error.what() << "\n";
    status = 1;
  }
  if (status != 0 && processes > 1) {
    std::cerr.flush();
    models::Processes::abort(status);
  }
  models::Processes::finish();
  return status;
}

}  // namespace aevb::examples
