// train_vae: the variational autoencoder of Kingma & Welling (2013) on images.
// The paper's MNIST protocol (Section 5):
//   train_vae --optimizer adagrad --lr 0.01 --batch 100 --hidden 500 --weight-decay 0.0001 --binarize static
// Frey Face: train_vae --data frey:frey_rawface.mat --hidden 200 --likelihood gaussian --latent 2
#include "examples/training_flags.h"

int main(int argc, char** argv) {
  using namespace aevb;
  models::Processes::start(argc, argv);  // under mpirun: data-parallel (--shards)
  models::TrainingOptions options;
  options.out = "vae-out";
  examples::ModelFlags model;
  std::string likelihood = "bernoulli", posterior = "normal";
  CLI::App app{"Trains a VAE; writes metrics.jsonl, checkpoint.aevb and pictures into --out"};
  examples::add_training_flags(app, options, model, true);
  app.add_option("--likelihood", likelihood, "bernoulli, continuous-bernoulli or gaussian")
      ->check(CLI::IsMember({"bernoulli", "continuous-bernoulli", "gaussian"}));
  app.add_option("--posterior", posterior, "normal, laplace, logistic, gumbel or cauchy")
      ->check(CLI::IsMember({"normal", "laplace", "logistic", "gumbel", "cauchy"}));
  datasets::TrainTest data;
  if (int status = examples::parse_training_flags(app, argc, argv, options, model, data); status >= 0) return status;
  models::VaeConfig config{.inputs = data.train.pixels_per_image(),
                           .hidden = model.hidden(),
                           .architecture = models::parse_architecture(model.architecture),
                           .image_height = data.train.rows,
                           .image_width = data.train.columns,
                           .latent = model.latent,
                           .activation = nn::parse_activation(model.activation),
                           .likelihood = models::parse_likelihood(likelihood),
                           .posterior = models::parse_posterior(posterior),
                           .init = model.chosen_init()};
  return examples::run_training("train_vae", [&] {
    models::train_vae(options, config, data);
    if (models::Processes::root())
      std::printf("pictures in %s/: reconstructions.png, samples.png, latent.png%s\n", options.out.c_str(),
                config.latent == 2 ? ", manifold.png" : "");
  });
}
