// gradient_flow: the lesson of Kingma & Welling's Section 2.4, printed.
//
// Builds the ELBO of a small VAE on one batch of mnist-subset, prints the forward tape
// and the backward trace, then shows in numbers:
//   1. eps, the noise of z = mu + sigma * eps, is a parameter-free leaf: no gradient reaches it;
//   2. mu and the log-variance receive gradient, through z and through the KL term;
//   3. the KL term alone, KL(N(mu, sigma^2) || N(0, I)), sends exactly mu back to mu;
//   4. sampling z directly (not as a function of mu and sigma) leaves the encoder without
//      any gradient from the reconstruction: the path is gone.
// Writes graph.dot, and graph.png when Graphviz's dot is installed.
//   gradient_flow [--out DIR] [--batch 4] [--hidden 16] [--latent 2] [--architecture mlp|conv] [--quiet]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "autodiff/files.h"
#include "autodiff/subprocess.h"
#include "examples/cli.h"
#include "models/run_folder.h"
#include "autodiff/inspect.h"
#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "models/vae.h"

namespace {
using namespace aevb;

double norm_of(const float* values, int64_t count) {
  double squares = 0;
  for (int64_t i = 0; i < count; ++i) squares += static_cast<double>(values[i]) * values[i];
  return std::sqrt(squares);
}

double encoder_gradient_norm(models::Vae& vae) {
  double squares = 0;
  for (const nn::NamedParameter& named : vae.named_parameters())
    if (named.name.rfind("encoder.", 0) == 0)
      squares += std::pow(norm_of(named.parameter->grad().data(), named.parameter->grad().numel()), 2);
  return std::sqrt(squares);
}

int run(const std::string& out, int64_t batch_size, int64_t hidden, int64_t latent, bool quiet, bool conv) {
  datasets::TrainTest data = datasets::load_dataset("mnist-subset");
  datasets::Batcher batcher(data.test, {.batch_size = batch_size, .seed = 1});
  const datasets::Batch* batch = batcher.next();
  Rng init(1);
  // conv: two convolutions of hidden/2 and hidden channels on the 28x28 images
  models::Vae vae(conv ? models::VaeConfig{.inputs = 784, .hidden = {std::max<int64_t>(1, hidden / 2), hidden},
                                           .architecture = models::Architecture::conv, .image_height = 28,
                                           .image_width = 28, .latent = latent}
                       : models::VaeConfig{.inputs = 784, .hidden = {hidden}, .latent = latent},
                  init);
  models::RunFolder::check_usable(out, {"graph.dot", "graph.png"});
  const models::RunFolder folder(out, "gradient_flow");

  // The ELBO, with a traced backward.
  Tape tape;
  Rng noise(2);
  models::ElboTerms terms = vae.elbo(tape.input(batch->images), Var(), noise);
  vae.zero_grad();
  const BackwardTrace trace = trace_backward(tape, terms.loss);
  if (!quiet) {
    std::printf("== The forward tape: one line per node, in execution order ==\n%s\n", format_tape(tape).c_str());
    std::printf("== The backward pass: who passed how much gradient to whom ==\n%s\n",
                format_trace(tape, trace).c_str());
  }
  folder.write("graph.dot", to_dot(tape, &trace));

  // 1 and 2: eps against mu and the log-variance.
  int32_t eps = -1;
  for (int32_t i = 0; i < tape.size(); ++i)
    if (tape.node_at(i).kind == NodeKind::noise) eps = i;
  // Read what we need now: clear() below hands the nodes to the next recording.
  const bool eps_has_no_gradient = eps >= 0 && tape.node_at(eps).grad == nullptr;
  const Node& mu_node = tape.node_at(terms.posterior_loc.index());
  std::printf("1. eps (node #%d) is a %s leaf: gradient %s. Nothing can flow into noise that no parameter made.\n", eps,
              to_string(tape.node_at(eps).kind), eps_has_no_gradient ? "none" : "present (unexpected)");
  std::printf(
      "2. mu (node #%d) receives a gradient of norm %.4g; the log-variance's path runs through sigma = exp(v / 2)\n"
      "   and z = mu + sigma * eps, so it receives gradient too (see the trace above).\n",
      terms.posterior_loc.index(), norm_of(mu_node.grad, mu_node.shape.numel()));

  // 3: the KL term alone.
  tape.clear();
  std::unique_ptr<nn::LocationScale> q = vae.posterior(tape.input(batch->images), Var());
  std::unique_ptr<nn::Normal> prior = vae.prior(tape, Var(), batch_size);
  Var kl = sum(nn::kl_divergence(*q, *prior));
  vae.zero_grad();
  tape.backward(kl);
  double largest_difference = 0;
  for (int64_t i = 0; i < q->loc().numel(); ++i)
    largest_difference =
        std::max(largest_difference, std::fabs(static_cast<double>(q->loc().grad()[i]) - q->loc().data()[i]));
  std::printf(
      "3. KL(N(mu, sigma^2) || N(0, I)) alone: dKL/dmu = mu, exactly. Largest |dKL/dmu - mu| over %lld entries: %g\n",
      static_cast<long long>(q->loc().numel()), largest_difference);

  // 4: z sampled directly, as data: the reconstruction cannot reach the encoder.
  tape.clear();
  Var x = tape.input(batch->images);
  std::unique_ptr<nn::LocationScale> posterior = vae.posterior(x, Var());
  Tensor z_values = posterior->sample(noise);  // a plain draw: no link to mu or sigma
  Var reconstruction = neg(mean(vae.log_likelihood(x, vae.decode(tape.input(z_values), Var()))));
  vae.zero_grad();
  tape.backward(reconstruction);
  const double direct = encoder_gradient_norm(vae);
  tape.clear();
  Rng same(3);
  Var z = vae.posterior(tape.input(batch->images), Var())->rsample(same);
  vae.zero_grad();
  tape.backward(neg(mean(vae.log_likelihood(tape.input(batch->images), vae.decode(z, Var())))));
  const double reparameterized = encoder_gradient_norm(vae);
  std::printf(
      "4. The reconstruction's gradient at the encoder: %.4g with z = mu + sigma * eps, %.4g with z sampled "
      "directly.\n",
      reparameterized, direct);

  // Graphviz runs with an argument vector, in the folder, on fixed names; its PNG goes
  // to a partial file first, renamed once whole.
  const std::string partial = "graph.png.aevb-partial." + std::to_string(::getpid());
  const ProgramRun dot = run_program({"dot", "-Tpng", "graph.dot", "-o", partial}, folder.path(""));
  std::error_code error;
  if (!dot.found) {
    std::printf("wrote %s; render it with: dot -Tpng graph.dot -o graph.png (apt-get install graphviz)\n",
                folder.path("graph.dot").c_str());
  } else if (dot.exit_status != 0 || std::filesystem::file_size(folder.path(partial), error) == 0 || error) {
    std::filesystem::remove(folder.path(partial), error);
    fail("'", folder.path("graph.png"), "': dot exited with status ", dot.exit_status, ": ",
         dot.errors.substr(0, dot.errors.find('\n')));
  } else {
    std::filesystem::rename(folder.path(partial), folder.path("graph.png"), error);
    if (error) fail("'", folder.path("graph.png"), "': cannot replace it: ", error.message());
    std::printf("wrote %s (the step's graph, edges weighted by gradient norm)\n", folder.path("graph.png").c_str());
  }

  const bool lesson_holds = eps_has_no_gradient && largest_difference < 1e-6 && direct == 0.0 && reparameterized > 0.0;
  if (!lesson_holds) std::printf("the checks above did not hold\n");
  return lesson_holds ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = "gradient-flow-out";
  int64_t batch = 4, hidden = 16, latent = 2;
  bool quiet = false;
  std::string architecture = "mlp";
  CLI::App app{"Shows how gradients flow through a VAE's ELBO and why the reparameterization trick matters"};
  app.add_option("--out", out, "folder for graph.dot and graph.png");
  app.add_option("--batch", batch, "images in the batch")->check(CLI::Range(int64_t{1}, int64_t{64}));
  app.add_option("--hidden", hidden, "hidden units")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  app.add_option("--latent", latent, "latent size")->check(CLI::Range(int64_t{1}, int64_t{64}));
  app.add_flag("--quiet", quiet, "skip the tape and trace listings");
  app.add_option("--architecture", architecture, "mlp, or conv (convolutions of hidden/2 and hidden channels)")
      ->check(CLI::IsMember({"mlp", "conv"}));
  if (int status = aevb::examples::parse_flags(app, argc, argv); status >= 0) return status;
  aevb::files::remove_partial_file_on_signals();
  try {
    return run(out, batch, hidden, latent, quiet, architecture == "conv");
  } catch (const aevb::InputError& refused) {
    std::cerr << refused.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "gradient_flow: " << error.what() << "\n";
    return 1;
  }
}
