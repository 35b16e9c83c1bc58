// inference_lab: every way of getting at p(z | x) and log p(x) in models/inference/, on
// one trained VAE and the same images: the encoder's ELBO, per-datapoint VI, IWAE(K),
// AIS, the paper's Appendix D estimator, and for a 2-D latent the exact value by
// quadrature; the amortization and approximation gaps; HMC, MH and Gibbs measured by
// effective samples per second. Writes inference.jsonl, table.txt and, for a 2-D
// latent, posterior.png (with posterior.gnuplot) into --out.
//   train_vae --latent 2 --hidden 500 --binarize static --epochs 50 --out vae2
//   inference_lab --checkpoint vae2/checkpoint.aevb --images 10 --out lab
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>

#include "autodiff/files.h"
#include "autodiff/kernels/gemm.h"
#include "datasets/sources.h"
#include "examples/cli.h"
#include "models/evaluation.h"
#include "models/inference/lab.h"
#include "models/run_folder.h"
#include "models/run_log.h"
#include "models/training.h"

namespace {
using namespace aevb;
using namespace aevb::models::inference;

struct Flags {
  std::string checkpoint, data = "mnist-subset", split = "test", out = "inference-out";
  int64_t images = 10, k_max = 5000, panels = 6;
  int64_t vi_steps = 1000, ais_steps = 1000, ais_chains = 16, hmc_samples = 500, mh_samples = 5000, gibbs_sweeps = 200;
  uint64_t seed = 1;
  int threads = 0;
};

double average(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}
// The Monte Carlo error of a mean over images: sqrt(sum of squared errors) / N.
double error_of_mean(const std::vector<double>& errors) {
  double squares = 0;
  for (double e : errors) squares += e * e;
  return std::sqrt(squares) / double(errors.size());
}

std::string table_text(const LabReport& report, const std::string& what) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "log p(x) of %lld %s, Z = %lld (nats per image, mean over images)\n\n",
                static_cast<long long>(report.images), what.c_str(), static_cast<long long>(report.latent));
  text += line;
  std::snprintf(line, sizeof line, "%-46s %-12s %12s %10s %10s\n", "method", "kind", "log p(x)", "MC s.e.", "seconds");
  text += line;
  for (const MethodResult& m : report.methods) {
    const bool exact = m.kind == "exact";
    std::snprintf(line, sizeof line, "%-46s %-12s %12.3f %10s %10.2f\n", m.name.c_str(), m.kind.c_str(),
                  average(m.value), exact ? "-" : std::to_string(error_of_mean(m.error)).substr(0, 6).c_str(),
                  m.seconds);
    text += line;
  }
  std::snprintf(line, sizeof line,
                "\namortization gap   best VI - encoder ELBO  %8.3f nats\n"
                "approximation gap  %s - best VI %s       %8.3f nats\n"
                "(best VI: per image, the better of per-datapoint VI's two starts)\n\n",
                average(report.amortization_gap), report.approximation_reference.c_str(),
                report.approximation_reference == "AIS" ? "  " : "", average(report.approximation_gap));
  text += line;
  std::snprintf(line, sizeof line, "%-8s %14s %12s %12s %26s\n", "sampler", "ESS / second", "acceptance", "seconds",
                "mean off exact (in sds)");
  text += line;
  for (const SamplerResult& s : report.samplers) {
    std::snprintf(line, sizeof line, "%-8s %14.1f %12.3f %12.2f %26s\n", s.name.c_str(), s.ess_per_second, s.acceptance,
                  s.run.seconds, s.mean_error < 0 ? "-" : std::to_string(s.mean_error).substr(0, 5).c_str());
    text += line;
  }
  return text;
}

std::string json_lines(const LabReport& report) {
  std::string text;
  for (const MethodResult& m : report.methods)
    text += models::JsonLine()
                .add_text("method", m.name)
                .add_text("kind", m.kind)
                .add("mean", average(m.value))
                .add("standard_error", error_of_mean(m.error))
                .add("seconds", m.seconds)
                .add_numbers("per_image", m.value)
                .add_numbers("per_image_error", m.error)
                .str() +
            "\n";
  text += models::JsonLine()
              .add("amortization_gap", average(report.amortization_gap))
              .add("approximation_gap", average(report.approximation_gap))
              .add_text("approximation_reference", report.approximation_reference)
              .add_numbers("per_image_amortization_gap", report.amortization_gap)
              .add_numbers("per_image_approximation_gap", report.approximation_gap)
              .str() +
          "\n";
  for (const SamplerResult& s : report.samplers) {
    models::JsonLine line;
    line.add_text("sampler", s.name).add("ess_per_second", s.ess_per_second).add("acceptance", s.acceptance);
    line.add("seconds", s.run.seconds);
    if (s.mean_error >= 0) line.add("mean_error_in_exact_sds", s.mean_error);
    text += line.str() + "\n";
  }
  return text;
}

int run(const Flags& flags) {
  datasets::TrainTest data;
  try {
    data = datasets::load_dataset(flags.data);
  } catch (const std::exception& error) {
    throw InputError(std::string("--data: ") + error.what());
  }
  models::TrainedVae trained = models::load_trained_vae(flags.checkpoint, data, "--checkpoint");
  const datasets::ImageSet& split = flags.split == "test" ? data.test : data.train;
  if (flags.images > split.count)
    throw InputError("--images: " + std::to_string(flags.images) + " is more than the " + flags.split + " split's " +
                     std::to_string(split.count));
  const std::vector<std::string> names = {"inference.jsonl", "table.txt", "posterior.png", "posterior.gnuplot"};
  models::RunFolder::check_usable(flags.out, names);
  const models::RunFolder folder(flags.out, "inference_lab");
  if (flags.threads > 0) kernels::set_thread_count(flags.threads);

  // The images: spread evenly over the split (every class), prepared as training's
  // evaluation prepares the test set (the same binarization, the same seed).
  const models::EvaluationSet prepared = models::evaluation_set(split, trained.binarization, trained.seed, false);
  const int64_t d = split.pixels_per_image();
  Tensor images({flags.images, d});
  std::vector<std::string> titles;
  for (int64_t i = 0; i < flags.images; ++i) {
    const int64_t index = i * split.count / flags.images;  // as datasets::spread_subset picks them
    std::copy(prepared.images.data() + index * d, prepared.images.data() + (index + 1) * d, images.data() + i * d);
    titles.push_back(flags.split + " image " + std::to_string(index) +
                     (split.labelled() ? " (" + split.class_name(split.labels[size_t(index)]) + ")" : std::string()));
  }
  models::Vae& vae = *trained.vae;
  LabOptions options;
  options.importance_samples.clear();
  for (int64_t k = 1; k < flags.k_max; k *= 10) options.importance_samples.push_back(k);
  options.importance_samples.push_back(flags.k_max);
  options.variational.steps = flags.vi_steps;
  options.ais.steps = flags.ais_steps;
  options.ais.chains = flags.ais_chains;
  options.hmc.samples = flags.hmc_samples;
  options.hmc.warmup = std::max<int64_t>(10, flags.hmc_samples * 3 / 5);
  options.appendix_d.hmc.samples = flags.hmc_samples;
  options.appendix_d.hmc.warmup = options.hmc.warmup;
  options.metropolis.samples = flags.mh_samples;
  options.metropolis.warmup = std::max<int64_t>(10, flags.mh_samples / 5);
  options.gibbs.samples = flags.gibbs_sweeps;
  options.gibbs.warmup = std::max<int64_t>(2, flags.gibbs_sweeps / 10);
  Rng rng(flags.seed);
  models::StageProgress progress(lab_stages(vae.config().latent));
  const LabReport report = run_lab(vae, images, options, rng, progress);
  for (size_t i = 0; i < report.views.size(); ++i) {
    char extra[96];
    std::snprintf(extra, sizeof extra, ": log p(x) %.1f, ELBO %.1f", report.methods.front().value[i],
                  report.find("encoder ELBO (IWAE, K = 1)")->value[i]);
    titles[i] += extra;
  }
  const std::string table = table_text(report, flags.split + " images of " + flags.data);
  std::printf("\n%s", table.c_str());
  folder.write("table.txt", table);
  folder.write("inference.jsonl", json_lines(report));
  if (!report.views.empty()) {
    const std::string note =
        models::plot_with_gnuplot(folder, "posterior", posterior_script(report, titles, flags.panels));
    std::printf("%s\n", note.empty() ? ("wrote " + folder.path("posterior.png")).c_str() : note.c_str());
  }
  std::printf("wrote %s and %s\n", folder.path("table.txt").c_str(), folder.path("inference.jsonl").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"Measures approximate inference on a trained VAE: bounds, estimates and samplers of p(z | x)"};
  app.add_option("--checkpoint", flags.checkpoint, "a VAE's checkpoint.aevb, written by train_vae")->required();
  app.add_option("--data", flags.data, "the data it was trained on: mnist-subset, fashion-mnist, idx:DIR or frey:FILE");
  app.add_option("--split", flags.split, "which images: test or train")->check(CLI::IsMember({"test", "train"}));
  app.add_option("--images", flags.images, "images, spread evenly over the split")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  app.add_option("--k-max", flags.k_max, "the largest K of IWAE(K); also 1, 10, 100, ... below it")
      ->check(CLI::Range(int64_t{10}, int64_t{100000}));
  app.add_option("--panels", flags.panels, "images in posterior.png (2-D latent)")
      ->check(CLI::Range(int64_t{1}, int64_t{12}));
  app.add_option("--vi-steps", flags.vi_steps, "Adam steps of per-datapoint VI")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  app.add_option("--ais-steps", flags.ais_steps, "AIS's intermediate distributions")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  app.add_option("--ais-chains", flags.ais_chains, "AIS chains per image")
      ->check(CLI::Range(int64_t{2}, int64_t{10000}));
  app.add_option("--hmc-samples", flags.hmc_samples, "HMC draws kept per chain (warm-up: 3/5 as many)")
      ->check(CLI::Range(int64_t{2}, int64_t{1000000}));
  app.add_option("--mh-samples", flags.mh_samples, "MH draws kept per chain (warm-up: 1/5 as many)")
      ->check(CLI::Range(int64_t{2}, int64_t{10000000}));
  app.add_option("--gibbs-sweeps", flags.gibbs_sweeps, "Gibbs sweeps kept per chain, 2-D latent (warm-up: 1/10)")
      ->check(CLI::Range(int64_t{2}, int64_t{1000000}));
  app.add_option("--seed", flags.seed, "random seed")->check(aevb::examples::unsigned_64());
  aevb::examples::add_threads_flag(app, flags.threads);
  app.add_option("--out", flags.out, "output folder");
  if (int status = aevb::examples::parse_flags(app, argc, argv); status >= 0) return status;
  aevb::files::remove_partial_file_on_signals();
  try {
    return run(flags);
  } catch (const aevb::InputError& refused) {
    std::cerr << refused.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "inference_lab: " << error.what() << "\n";
    return 1;
  }
}
