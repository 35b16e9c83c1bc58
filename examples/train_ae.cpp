// train_ae: a deterministic autoencoder, or with --denoise a denoising one, for
// comparison with the VAE (look at latent.png of both).
//   train_ae --denoise mask --noise 0.3     (writes denoising.png: clean, corrupted, restored)
#include "examples/training_flags.h"

int main(int argc, char** argv) {
  using namespace aevb;
  models::Processes::start(argc, argv);  // under mpirun: data-parallel (--shards)
  models::TrainingOptions options;
  options.out = "ae-out";
  examples::ModelFlags model;
  std::string denoise = "none";
  float noise = 0.3f;
  CLI::App app{"Trains an autoencoder (or a denoising one); writes metrics, a checkpoint and pictures into --out"};
  examples::add_training_flags(app, options, model, false);
  app.add_option("--denoise", denoise, "none, gaussian or mask")->check(CLI::IsMember({"none", "gaussian", "mask"}));
  app.add_option("--noise", noise, "Gaussian noise's standard deviation, or the masked fraction")
      ->check(examples::finite_range(0, 1));
  datasets::TrainTest data;
  if (int status = examples::parse_training_flags(app, argc, argv, options, model, data); status >= 0) return status;
  models::AutoencoderConfig config{.inputs = data.train.pixels_per_image(),
                                   .hidden = model.hidden(),
                                   .architecture = models::parse_architecture(model.architecture),
                                   .image_height = data.train.rows,
                                   .image_width = data.train.columns,
                                   .code = model.latent,
                                   .activation = nn::parse_activation(model.activation)};
  return examples::run_training("train_ae", [&] {
    models::train_autoencoder(options, config, models::parse_denoising(denoise), noise, data);
    if (models::Processes::root())
      std::printf("pictures in %s/: %s, latent.png\n", options.out.c_str(),
                denoise == "none" ? "reconstructions.png" : "denoising.png");
  });
}
