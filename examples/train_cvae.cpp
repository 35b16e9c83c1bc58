// train_cvae: the conditional VAE of Sohn, Lee & Yan (2015): q(z | x, c), p(x | z, c) and
// p(z | c) (standard normal, or learned with --learned-prior), c the one-hot class.
//   train_cvae --epochs 200 --judge classifier-out/classifier.aevb   (conditional accuracy)
//   train_cvae --digit 7                                             (writes digit_7.png)
#include "examples/training_flags.h"

int main(int argc, char** argv) {
  using namespace aevb;
  models::Processes::start(argc, argv);  // under mpirun: data-parallel (--shards)
  models::TrainingOptions options;
  options.out = "cvae-out";
  examples::ModelFlags model;
  bool learned_prior = false;
  CLI::App app{"Trains a conditional VAE on labelled images; writes metrics, a checkpoint and pictures into --out"};
  examples::add_training_flags(app, options, model, true);
  app.add_option("--digit", options.digit,
                 "draw only this class, a class of --data (writes digit_D.png; default: every class, conditional.png)")
      ->check(CLI::Range(0, 255));
  app.add_flag("--learned-prior", learned_prior, "learn p(z | c) instead of using N(0, I)");
  app.add_option("--judge", options.judge, "a classifier.aevb from train_classifier: prints the conditional accuracy");
  datasets::TrainTest data;
  if (int status = examples::parse_training_flags(app, argc, argv, options, model, data); status >= 0) return status;
  if (!data.train.labelled()) {
    std::cerr << "--data: '" << model.data << "' has no labels; a CVAE needs them\n";
    return 2;
  }
  models::VaeConfig config{.inputs = data.train.pixels_per_image(), .hidden = model.hidden(),
                           .architecture = models::parse_architecture(model.architecture),
                           .image_height = data.train.rows,
                           .image_width = data.train.columns, .latent = model.latent,
                           .conditions = data.train.classes, .learned_prior = learned_prior,
                           .activation = nn::parse_activation(model.activation), .init = model.chosen_init()};
  return examples::run_training("train_cvae", [&] {
    models::train_vae(options, config, data);
    if (models::Processes::root())
      std::printf("pictures in %s/: %s, reconstructions.png, samples.png, latent.png\n", options.out.c_str(),
                options.digit >= 0 ? ("digit_" + std::to_string(options.digit) + ".png").c_str() : "conditional.png");
  });
}
