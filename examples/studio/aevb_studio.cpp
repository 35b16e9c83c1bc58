// aevb-studio: watch a model train, live, in a browser: the run's curves and layer
// statistics, the tape of one training step with the gradient that flowed along each
// edge, and the latent space under the cursor. Every number and image on the page is
// computed here, by aevb, from a snapshot of the model.
//   aevb-studio --data mnist-subset [any train_vae flag]   trains a VAE and serves the studio
//   aevb-studio --model cvae | ae ...                      a CVAE or an autoencoder
//   aevb-studio --open demo-out/vae                        explores a finished run (VAE, CVAE, AE)
// It prints the address to open (with the token that pause, resume and stop need).
// Closing the page never stops training; Ctrl-C stops it between two steps, leaving the
// last checkpoint as its epoch wrote it (a second Ctrl-C ends the program at once).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "datasets/batcher.h"
#include "examples/studio/server.h"
#include "examples/training_flags.h"
#include "models/run_configuration.h"

namespace {

volatile std::sig_atomic_t interrupted = 0;

// The first Ctrl-C (or SIGTERM) asks for a stop between two steps; the next one kills.
void on_interrupt(int signal_number) {
  interrupted = 1;
  std::signal(signal_number, SIG_DFL);
}

std::string random_token() {
  std::random_device device;
  std::string token;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) token += hex[device() % 16];
  return token;
}

// The model a checkpoint records ("vae", "cvae", "ae"), or "" when it cannot be read
// (the loader that follows names why).
std::string checkpoint_model(const std::string& path) {
  try {
    const aevb::nn::CheckpointContents contents = aevb::nn::read_checkpoint_file(path);
    auto found = contents.texts.find("model");
    return found == contents.texts.end() ? "" : found->second;
  } catch (const std::exception&) {
    return "";
  }
}

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

// The epochs metrics.jsonl in `folder` records, in order (the "final" line left out;
// lines that are not JSON objects, as a kill mid-write could leave, skipped). None when
// the file is missing; refused when it is not a regular file (a FIFO would block).
std::vector<std::string> epoch_lines(const std::string& folder) {
  const std::string path = folder + "/metrics.jsonl";
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  if (!std::filesystem::is_regular_file(path, error)) aevb::refuse("--open: '", path, "' is not a regular file");
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_object() && parsed.contains("epoch") && !parsed.contains("final")) lines.push_back(line);
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aevb;
  models::TrainingOptions options;
  options.out = "studio-out";
  examples::ModelFlags model;
  std::string kind = "vae", likelihood = "bernoulli", posterior = "normal", open, host = "127.0.0.1";
  bool learned_prior = false, exit_when_done = false;
  int port = 8080, snapshot_ms = 500;
  CLI::App app{
      "Trains a VAE (or a CVAE, an autoencoder) and serves the aevb studio while it trains; or, with "
      "--open, explores a finished run"};
  examples::add_training_flags(app, options, model, true);
  app.add_option("--model", kind, "vae, cvae or ae")->check(CLI::IsMember({"vae", "cvae", "ae"}));
  app.add_option("--likelihood", likelihood, "bernoulli, continuous-bernoulli or gaussian (vae)")
      ->check(CLI::IsMember({"bernoulli", "continuous-bernoulli", "gaussian"}));
  app.add_option("--posterior", posterior, "normal, laplace, logistic, gumbel or cauchy (vae)")
      ->check(CLI::IsMember({"normal", "laplace", "logistic", "gumbel", "cauchy"}));
  app.add_flag("--learned-prior", learned_prior, "cvae: learn p(z | c) instead of using N(0, I)");
  app.add_option("--open", open,
                 "a finished run's folder (train_vae's, train_cvae's or train_ae's --out): explore it, no training");
  app.add_option("--host", host, "the address to listen on; anything but loopback (127.0.0.1) is reachable by others");
  app.add_option("--port", port, "the port to listen on (0: any free one)")->check(CLI::Range(0, 65535));
  app.add_option("--snapshot-ms", snapshot_ms, "milliseconds between the snapshots the page sees while training")
      ->check(CLI::Range(50, 60000));
  app.add_flag("--exit-when-done", exit_when_done, "end the program when training ends, instead of serving on");
  datasets::TrainTest data;
  if (int status = examples::parse_training_flags(app, argc, argv, options, model, data); status >= 0) return status;
  // --open explores what a run wrote: a flag that would shape a new run has no meaning there.
  if (!open.empty())
    for (const char* flag : {"--epochs", "--batch", "--architecture", "--hidden", "--latent", "--activation", "--init", "--optimizer",
                             "--lr", "--weight-decay", "--binarize", "--seed", "--resume", "--beta",
                             "--warmup-epochs", "--free-bits", "--eval-k", "--model", "--likelihood", "--posterior",
                             "--learned-prior", "--snapshot-ms", "--exit-when-done"})
      if (app.count(flag) > 0) {
        std::fprintf(stderr, "%s: shapes a new run; --open explores a finished one (give one or the other)\n", flag);
        return 2;
      }
  if (host.empty() || host.find_first_of(" \t\r\n/") != std::string::npos) {
    std::fprintf(stderr, "--host: '%s' is not an address\n", host.c_str());
    return 2;
  }

  studio::ModelSpec spec;
  std::unique_ptr<models::Vae> opened;
  std::unique_ptr<models::Autoencoder> opened_autoencoder;
  std::vector<std::string> opened_epochs;
  return examples::run_training("aevb-studio", [&] {
    if (!open.empty()) {
      const std::string checkpoint = open + "/checkpoint.aevb";
      if (checkpoint_model(checkpoint) == "ae") {
        opened_autoencoder = models::load_trained_autoencoder(checkpoint, data, "--open");
        spec.kind = studio::ModelKind::ae;
        spec.autoencoder = opened_autoencoder->config();
      } else {
        models::TrainedVae trained = models::load_trained_vae(checkpoint, data, "--open", true);
        opened = std::move(trained.vae);
        spec.kind = opened->config().conditions > 0 ? studio::ModelKind::cvae : studio::ModelKind::vae;
        spec.vae = opened->config();
      }
      opened_epochs = epoch_lines(open);
    } else {
      spec.kind = kind == "ae"     ? studio::ModelKind::ae
                  : kind == "cvae" ? studio::ModelKind::cvae
                                   : studio::ModelKind::vae;
      if (spec.kind == studio::ModelKind::cvae && !data.train.labelled())
        refuse("--data: '", model.data, "' has no labels; a CVAE needs them");
      spec.vae = {.inputs = data.train.pixels_per_image(),
                  .hidden = model.hidden(),
                  .architecture = models::parse_architecture(model.architecture),
                  .image_height = data.train.rows,
                  .image_width = data.train.columns,
                  .latent = model.latent,
                  .conditions = spec.kind == studio::ModelKind::cvae ? data.train.classes : 0,
                  .learned_prior = learned_prior,
                  .activation = nn::parse_activation(model.activation),
                  .likelihood = spec.kind == studio::ModelKind::cvae ? models::Likelihood::bernoulli
                                                                     : models::parse_likelihood(likelihood),
                  .posterior = spec.kind == studio::ModelKind::cvae ? models::Posterior::normal
                                                                    : models::parse_posterior(posterior),
                  .init = model.chosen_init()};
      spec.autoencoder = {.inputs = data.train.pixels_per_image(),
                          .hidden = model.hidden(),
                          .architecture = models::parse_architecture(model.architecture),
                          .image_height = data.train.rows,
                          .image_width = data.train.columns,
                          .code = model.latent,
                          .activation = nn::parse_activation(model.activation)};
    }

    studio::RunState state(spec);
    studio::ServerOptions server_options{.host = host,
                                         .port = port,
                                         .token = random_token(),
                                         .web_folder = AEVB_STUDIO_WEB,
                                         .vendor_folder = AEVB_STUDIO_VENDOR};
    // The tape view's batches come from 4096 training images, the latent view shows
    // 1000 test images, both spread over their sets (a set stored class by class shows
    // every class).
    studio::StudioServer server(state, studio::image_rows(datasets::spread_subset(data.train, 4096), 4096),
                                studio::image_rows(datasets::spread_subset(data.test, 1000), 1000), server_options);
    if (std::string error; !server.bind(error)) refuse(port == 0 ? "--host: " : "--port: ", error);
    if (!loopback(host))
      std::fprintf(stderr,
                   "warning: --host %s: the studio is reachable from other machines; only the token guards the "
                   "controls\n",
                   host.c_str());
    std::printf("aevb studio: open %s?token=%s\n", server.address().c_str(), server_options.token.c_str());
    std::fflush(stdout);
    state.set_description(
        {{"model", studio::to_string(spec.kind)},
         {"data", data.train.name},
         {"latent", spec.latent()},
         {"architecture", models::to_string(spec.kind == studio::ModelKind::ae ? spec.autoencoder.architecture
                                                                              : spec.vae.architecture)},
         {"hidden", models::sizes_text(spec.kind == studio::ModelKind::ae ? spec.autoencoder.hidden : spec.vae.hidden)},
         {"conditions", spec.conditions()},
         {"classes", data.train.classes},
         {"epochs", open.empty() ? options.epochs : static_cast<int>(opened_epochs.size())},
         {"folder", open.empty() ? options.out : open},
         {"image", {{"width", data.test.columns}, {"height", data.test.rows}}},
         {"training_images", data.train.count},
         {"tape_images", std::min<int64_t>(4096, data.train.count)}});
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    std::thread serving([&] { server.serve(); });
    std::atomic<bool> done{false};
    std::thread watching([&] {  // a signal handler may only set a flag: this turns it into a stop
      while (!done.load()) {
        if (interrupted) state.request_stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
    auto finish = [&] {
      done.store(true);
      watching.join();
      server.stop();
      serving.join();
    };
    auto serve_until_interrupted = [&] {
      while (!interrupted && !(exit_when_done && open.empty()))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    };
    if (!open.empty()) {
      for (const std::string& line : opened_epochs) state.add_epoch_line(line);
      const int epochs = static_cast<int>(opened_epochs.size());
      if (opened)
        state.publish(*opened, epochs, 0);
      else
        state.publish(*opened_autoencoder, epochs, 0);
      state.set_phase(studio::RunPhase::exploring);
      serve_until_interrupted();
      finish();
      return;
    }
    studio::StudioObserver observer(state, std::chrono::milliseconds(snapshot_ms));
    options.observer = &observer;
    try {
      if (spec.kind == studio::ModelKind::ae)
        models::train_autoencoder(options, spec.autoencoder, models::Denoising::none, 0.0f, data);
      else
        models::train_vae(options, spec.vae, data);
      state.set_phase(studio::RunPhase::finished);
      if (exit_when_done)
        std::printf("training finished\n");
      else
        std::printf("training finished; the studio still serves %s (Ctrl-C ends it)\n", server.address().c_str());
    } catch (const models::StopRequested& stopped) {
      state.set_phase(studio::RunPhase::stopped);
      if (stopped.checkpoint_epoch() > 0)
        std::printf("stopped: %s/checkpoint.aevb holds epoch %llu, whole (--resume it to go on)\n", options.out.c_str(),
                    static_cast<unsigned long long>(stopped.checkpoint_epoch()));
      else
        std::printf("stopped before the first epoch ended: no checkpoint was written\n");
    } catch (...) {
      finish();
      throw;
    }
    std::fflush(stdout);
    serve_until_interrupted();
    finish();
  });
}
