// reproduce_figure2: Kingma & Welling's Figure 2, AEVB against wake-sleep: the lower
// bound per datapoint (training and test images) against the number of training
// samples evaluated, one panel per latent size, in the paper's protocol
// (models/inference/learning_curves.h). The paper ran to 10^8 samples; --budget says
// how far this run goes. Writes figure2.jsonl (one line per measurement, rewritten
// after every curve) and figure2.png (with figure2.gnuplot) into --out.
//   reproduce_figure2 --data mnist-subset --budget 1000000 --out figure2-mnist
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "autodiff/files.h"
#include "autodiff/kernels/gemm.h"
#include "datasets/sources.h"
#include "examples/cli.h"
#include "examples/figure_runs.h"
#include "examples/training_flags.h"
#include "models/inference/learning_curves.h"

int main(int argc, char** argv) {
  using namespace aevb;
  using namespace aevb::models::inference;
  examples::FigureFlags flags{.out = "figure2-out", .hidden = 500, .latents = "3,5,10,20,200"};
  CLI::App app{"Reproduces the paper's Figure 2: AEVB against wake-sleep, the lower bound against training samples"};
  examples::add_figure_flags(app, flags);
  app.add_option("--latent", flags.latents, "latent sizes, one panel each")->check(examples::size_list(1000));
  if (int status = examples::parse_flags(app, argc, argv); status >= 0) return status;
  return examples::run_training("reproduce_figure2", [&] {
    const std::vector<int64_t> latents = examples::sizes_of(flags.latents);
    examples::FigureRun run(flags, "figure2", int(2 * latents.size()));
    for (int64_t latent : latents)
      for (Learner learner : {Learner::aevb, Learner::wake_sleep})
        run.curve({.learner = learner, .latent = latent, .hidden = flags.hidden}, run.data().train, elbo_measure,
                  "Z = " + std::to_string(latent));
    run.plot("lower bound per datapoint (nats)",
             "Figure 2 (Kingma & Welling 2013): AEVB (red) against wake-sleep (green); solid: training images, "
             "dashed: test images");
  });
}
