// The inference lab: every method of this folder on the same trained decoder and the
// same images, so that their estimates of log p(x), their costs and their posteriors
// can be set side by side (examples/inference_lab.cpp prints and pictures this).
//
//   bounds and estimates   encoder ELBO (IWAE(1)), per-datapoint VI from the encoder and
//                          from N(0, I), IWAE(K), AIS, the Appendix D estimator (Z <= 5),
//                          exact quadrature (Z = 2)
//   gaps                   amortization: VI - encoder ELBO; approximation: log p(x) - VI,
//                          with VI per image the better of its two starts, and log p(x)
//                          the exact value when Z = 2, else AIS's
//   samplers               HMC, MH, Gibbs (Z = 2): ESS per second, acceptance, and for
//                          Z = 2 how far their means are from the exact posterior's
#pragma once

#include <string>
#include <vector>

#include "models/inference/ais.h"
#include "models/inference/gibbs.h"
#include "models/inference/hmc.h"
#include "models/inference/marginal_likelihood.h"
#include "models/inference/metropolis.h"
#include "models/inference/quadrature.h"
#include "models/inference/variational.h"
#include "models/progress.h"
#include "models/vae.h"

namespace aevb::models::inference {

struct LabOptions {
  std::vector<int64_t> importance_samples = {1, 10, 100, 1000, 5000};
  VariationalOptions variational = {.steps = 1000, .samples = 10, .learning_rate = 0.05f, .final_samples = 2000};
  AisOptions ais;
  int64_t chains = 4;  // per image, for HMC, MH and Gibbs
  HmcOptions hmc;
  MetropolisOptions metropolis;
  GibbsOptions gibbs;
  MarginalLikelihoodOptions appendix_d;
  QuadratureOptions quadrature;
  int64_t picture_side = 160;  // grid points per side of each posterior.png panel
};

// One row of the table: a bound or an estimate of log p(x) per image.
struct MethodResult {
  std::string name;
  std::string kind;                  // "lower bound", "estimate" or "exact"
  std::vector<double> value, error;  // per image, nats; error: the Monte Carlo standard error
  double seconds = 0;
};

struct SamplerResult {
  std::string name;
  ChainRun run;
  double ess_per_second = 0;  // summed over all chains of all images, warm-up in the time
  double acceptance = 0;      // mean over chains
  double mean_error = -1;     // Z = 2: mean over images of |mean - exact mean| / exact sd, worst coordinate
};

// What posterior.png draws for one image: three densities on one grid over a view box.
struct PosteriorView {
  double low[2], high[2];
  int64_t side = 0;
  std::vector<double> exact, encoder, fitted;  // [side, side] densities, index a * side + b (fitted: may be empty)
  std::vector<double> exact_levels;            // density levels holding 50%, 90%, 99% of the exact mass
  double encoder_level = 0, fitted_level = 0;  // each q's level holding 90% of its mass
};

// For each image of `target` (a 2-D latent): the exact posterior (`exact`, from
// exact_posterior), the encoder's q and, given one, the fitted q, on a `side` x `side`
// grid over a square holding the exact posterior's 99.9% region and each q's 3-scale
// box. The lab's posterior.png draws these; so does the studio's latent view.
std::vector<PosteriorView> posterior_views(Vae& vae, LatentTarget& target, const std::vector<PosteriorGrid>& exact,
                                           const Tensor& encoder_loc, const Tensor& encoder_log_variance,
                                           const VariationalFit* fitted, int64_t side);

struct LabReport {
  int64_t images = 0, latent = 0;
  std::vector<MethodResult> methods;
  std::vector<double> amortization_gap, approximation_gap;  // per image
  std::string approximation_reference;                      // "exact" or "AIS"
  std::vector<SamplerResult> samplers;
  std::vector<PosteriorView> views;  // Z = 2
  const MethodResult* find(const std::string& name) const;
};

// Runs every method on images [N, D] (already prepared as the model's test images are).
LabReport run_lab(Vae& vae, const Tensor& images, const LabOptions& options, Rng& rng, StageProgress& progress);
// How many stages run_lab reports for a model of latent size Z.
int lab_stages(int64_t latent);

// The gnuplot script of posterior.png (Z = 2): for the first `panels` images, the exact
// posterior's 50/90/99% contours, the encoder's q and the optimized q at 90%, and HMC
// and MH draws over them; `titles` names each image. Self-contained (inline data).
std::string posterior_script(const LabReport& report, const std::vector<std::string>& titles, int64_t panels);

// The density level above which a fraction `mass` of a grid density lies (the highest-
// density region's boundary, for contours).
double density_level(const std::vector<double>& density, double mass);

}  // namespace aevb::models::inference
