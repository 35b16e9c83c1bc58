// train_vae's command line from bytes: split at newlines into arguments, parsed with
// the programs' flag set and helpers (examples/cli.h, examples/training_flags.h), then
// read the way train_vae reads it, up to loading the data. A refusal (exit status 2,
// or aevb::Error) returns normally; anything else escapes. Shared by the fuzz target
// and the replay of its kept inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/error.h"
#include "examples/training_flags.h"

namespace aevb::fuzz {

inline void parse_train_vae_flags(const uint8_t* data, size_t size) {
  std::vector<std::string> arguments = {"train_vae"};
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      arguments.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  arguments.push_back(current);
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());

  models::TrainingOptions options;
  examples::ModelFlags model;
  std::string likelihood = "bernoulli", posterior = "normal";
  CLI::App app{"fuzz"};
  examples::add_training_flags(app, options, model, true);
  app.add_option("--likelihood", likelihood)->check(CLI::IsMember({"bernoulli", "continuous-bernoulli", "gaussian"}));
  app.add_option("--posterior", posterior)->check(CLI::IsMember({"normal", "laplace", "logistic", "gumbel", "cauchy"}));
  if (examples::parse_flags(app, static_cast<int>(argv.size()), argv.data()) >= 0) return;
  try {
    options.binarization = datasets::parse_binarization(model.binarize);
    models::VaeConfig config{.hidden = model.hidden(), .latent = model.latent,
                             .activation = nn::parse_activation(model.activation),
                             .likelihood = models::parse_likelihood(likelihood),
                             .posterior = models::parse_posterior(posterior), .init = model.chosen_init()};
    (void)config;
  } catch (const Error&) {
  }
}

}  // namespace aevb::fuzz
