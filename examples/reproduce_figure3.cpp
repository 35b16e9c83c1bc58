// reproduce_figure3: Kingma & Welling's Figure 3, AEVB against wake-sleep and Monte
// Carlo EM: the estimated marginal likelihood log p(x) per datapoint (the Appendix D
// estimator) against the number of training samples evaluated, with a small training
// set (1,000 images) and the whole one, 100 hidden units and a 3-D latent, in the
// paper's protocol (models/inference/learning_curves.h). Writes figure3.jsonl and
// figure3.png (with figure3.gnuplot) into --out.
//   reproduce_figure3 --data mnist-subset --budget 1000000 --out figure3-mnist
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "autodiff/files.h"
#include "datasets/sources.h"
#include "examples/cli.h"
#include "examples/figure_runs.h"
#include "examples/training_flags.h"
#include "models/inference/learning_curves.h"
#include "models/inference/marginal_likelihood.h"

int main(int argc, char** argv) {
  using namespace aevb;
  using namespace aevb::models::inference;
  examples::FigureFlags flags{.out = "figure3-out", .hidden = 100, .eval_images = 100};
  int64_t latent = 3, small_train = 1000, hmc_samples = 200;
  CLI::App app{"Reproduces the paper's Figure 3: AEVB, wake-sleep and MCEM, the marginal likelihood against samples"};
  examples::add_figure_flags(app, flags);
  app.add_option("--latent", latent, "latent size (the estimator needs a small one)")
      ->check(CLI::Range(int64_t{1}, int64_t{5}));
  app.add_option("--small-train", small_train, "images of the small training set (the other is all of --data's)")
      ->check(CLI::Range(int64_t{100}, int64_t{1000000}));
  app.add_option("--hmc-samples", hmc_samples, "HMC draws per chain for each of the estimator's two halves")
      ->check(CLI::Range(int64_t{10}, int64_t{100000}));
  if (int status = examples::parse_flags(app, argc, argv); status >= 0) return status;
  return examples::run_training("reproduce_figure3", [&] {
    examples::FigureRun run(flags, "figure3", 6, [&](const datasets::TrainTest& data) {
      if (small_train >= data.train.count)
        throw InputError("--small-train: " + std::to_string(small_train) + " is not fewer than --data's " +
                         std::to_string(data.train.count) + " training images");
    });
    const datasets::ImageSet small = datasets::spread_subset(run.data().train, small_train);
    const Measure marginal = [&](models::Vae& vae, const Tensor& images, Rng& rng) {
      VaePosterior target(vae, images);
      const int64_t chains = 2;
      const MarginalLikelihoodOptions options{
          .hmc = {.warmup = hmc_samples, .samples = hmc_samples, .initial_step_size = 0.1}, .chains = chains};
      const Tensor initial = Tensor::normal({images.shape()[0] * chains, vae.config().latent}, rng);
      double sum = 0;
      for (double v : estimate_marginal_likelihood(target, initial, options, rng).log_marginal)
        sum += v / double(images.shape()[0]);
      return sum;
    };
    for (const datasets::ImageSet* train : {&small, &run.data().train})
      for (Learner learner : {Learner::aevb, Learner::wake_sleep, Learner::mcem})
        run.curve({.learner = learner, .latent = latent, .hidden = flags.hidden}, *train, marginal,
                  "N_train = " + std::to_string(train->count));
    run.plot("marginal log-likelihood per datapoint (nats)",
             "Figure 3 (Kingma & Welling 2013): AEVB (red), wake-sleep (green), MCEM (blue); solid: training images, "
             "dashed: test images; Appendix D estimator");
  });
}
