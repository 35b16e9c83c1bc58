#include "models/inference/lab.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "autodiff/error.h"
#include "models/inference/importance_sampling.h"
#include "models/inference/statistics.h"

namespace aevb::models::inference {
namespace {

std::string format(const char* pattern, double a, double b = 0) {
  char text[96];
  std::snprintf(text, sizeof text, pattern, a, b);
  return text;
}

double average(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v / double(values.size());
  return sum;
}

// Each image's row repeated `copies` times: [N copies, W], image-major.
Tensor repeated_rows(const Tensor& rows, int64_t copies) {
  const int64_t n = rows.shape()[0], w = rows.shape()[1];
  Tensor out({n * copies, w});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < copies; ++c) std::copy(row(rows, i), row(rows, i) + w, row(out, i * copies + c));
  return out;
}

SamplerResult summarize(const std::string& name, ChainRun run, const std::vector<PosteriorGrid>& exact,
                        int64_t chains) {
  SamplerResult result{name, std::move(run)};
  const std::vector<double> ess = chain_effective_sample_sizes(result.run.samples);
  double total = 0;
  for (double e : ess) total += e;
  result.ess_per_second = total / std::max(result.run.seconds, 1e-9);
  result.acceptance = average(result.run.acceptance);
  if (exact.empty()) return result;
  const int64_t s = result.run.samples.shape()[0], rows = result.run.samples.shape()[1];
  double error = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    double worst = 0;
    for (int j = 0; j < 2; ++j) {
      double mean = 0;
      for (int64_t t = 0; t < s; ++t)
        for (int64_t c = 0; c < chains; ++c)
          mean += result.run.samples[(t * rows + int64_t(i) * chains + c) * 2 + j] / double(s * chains);
      worst =
          std::max(worst, std::abs(mean - exact[i].mean[size_t(j)]) / std::sqrt(exact[i].covariance[size_t(3 * j)]));
    }
    error += worst / double(exact.size());
  }
  result.mean_error = error;
  return result;
}

// q's density (the model's posterior family) with parameters loc, log_variance [N, Z]
// at codes [N * cells, 2], image-major.
std::vector<double> q_density(Vae& vae, const Tensor& loc, const Tensor& log_variance, const Tensor& codes) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t n = loc.shape()[0], cells = codes.shape()[0] / n;
  std::unique_ptr<nn::LocationScale> q =
      vae.make_posterior(tape.input(repeated_rows(loc, cells)), tape.input(repeated_rows(log_variance, cells)));
  Var log_q = sum(q->log_prob(tape.input(codes)), 1);
  std::vector<double> density(static_cast<size_t>(n * cells));
  for (int64_t r = 0; r < n * cells; ++r) density[size_t(r)] = std::exp(double(log_q.data()[r]));
  return density;
}

}  // namespace

std::vector<PosteriorView> posterior_views(Vae& vae, LatentTarget& target, const std::vector<PosteriorGrid>& exact,
                                           const Tensor& encoder_loc, const Tensor& encoder_log_variance,
                                           const VariationalFit* fitted, int64_t side) {
  const int64_t n = target.images();
  std::vector<PosteriorView> views(static_cast<size_t>(n));
  Tensor codes({n * side * side, 2});
  for (int64_t i = 0; i < n; ++i) {
    // The exact posterior's 99.9% region with each q's 3-scale box, the view a square.
    PosteriorView& view = views[size_t(i)];
    const PosteriorGrid& grid = exact[size_t(i)];
    double low[2], high[2];
    const double level = density_level(grid.density, 0.999);
    for (int j = 0; j < 2; ++j) low[j] = grid.high[j], high[j] = grid.low[j];
    const double wa = (grid.high[0] - grid.low[0]) / double(grid.side),
                 wb = (grid.high[1] - grid.low[1]) / double(grid.side);
    for (int64_t a = 0; a < grid.side; ++a)
      for (int64_t b = 0; b < grid.side; ++b)
        if (grid.density[size_t(a * grid.side + b)] >= level) {
          low[0] = std::min(low[0], grid.low[0] + a * wa), high[0] = std::max(high[0], grid.low[0] + (a + 1) * wa);
          low[1] = std::min(low[1], grid.low[1] + b * wb), high[1] = std::max(high[1], grid.low[1] + (b + 1) * wb);
        }
    for (const auto* q : {&encoder_loc, fitted ? &fitted->loc : &encoder_loc}) {
      const Tensor& log_variance = q == &encoder_loc ? encoder_log_variance : fitted->log_variance;
      for (int j = 0; j < 2; ++j) {
        const double centre = (*q)[i * 2 + j], scale = std::exp(0.5 * log_variance[i * 2 + j]);
        low[j] = std::min(low[j], centre - 3 * scale), high[j] = std::max(high[j], centre + 3 * scale);
      }
    }
    const double half = 0.55 * std::max(high[0] - low[0], high[1] - low[1]);
    for (int j = 0; j < 2; ++j) {
      const double centre = 0.5 * (low[j] + high[j]);
      view.low[j] = centre - half, view.high[j] = centre + half;
    }
    view.side = side;
    for (int64_t a = 0; a < side; ++a)
      for (int64_t b = 0; b < side; ++b) {
        float* code = row(codes, (i * side + a) * side + b);
        code[0] = static_cast<float>(view.low[0] + (a + 0.5) * (view.high[0] - view.low[0]) / double(side));
        code[1] = static_cast<float>(view.low[1] + (b + 0.5) * (view.high[1] - view.low[1]) / double(side));
      }
  }
  TargetValues values;
  target.evaluate(codes, 1.0, false, values);
  const std::vector<double> encoder = q_density(vae, encoder_loc, encoder_log_variance, codes);
  const std::vector<double> fitted_q =
      fitted ? q_density(vae, fitted->loc, fitted->log_variance, codes) : std::vector<double>();
  const int64_t cells = side * side;
  for (int64_t i = 0; i < n; ++i) {
    PosteriorView& view = views[size_t(i)];
    const double log_px = exact[size_t(i)].log_marginal;
    for (int64_t c = 0; c < cells; ++c) {
      view.exact.push_back(std::exp(values.log_density(i * cells + c, 1) - log_px));
      view.encoder.push_back(encoder[size_t(i * cells + c)]);
      if (fitted) view.fitted.push_back(fitted_q[size_t(i * cells + c)]);
    }
    for (double mass : {0.5, 0.9, 0.99}) view.exact_levels.push_back(density_level(view.exact, mass));
    view.encoder_level = density_level(view.encoder, 0.9);
    if (fitted) view.fitted_level = density_level(view.fitted, 0.9);
  }
  return views;
}

double density_level(const std::vector<double>& density, double mass) {
  std::vector<double> sorted = density;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double total = 0;
  for (double d : sorted) total += d;
  double cumulative = 0;
  for (double d : sorted)
    if ((cumulative += d) >= mass * total) return d;
  return sorted.empty() ? 0 : sorted.back();
}

const MethodResult* LabReport::find(const std::string& name) const {
  for (const MethodResult& m : methods)
    if (m.name == name) return &m;
  return nullptr;
}

int lab_stages(int64_t latent) { return 6 + (latent <= 5 ? 1 : 0) + (latent == 2 ? 3 : 0); }

LabReport run_lab(Vae& vae, const Tensor& images, const LabOptions& options, Rng& rng, StageProgress& progress) {
  const int64_t n = images.shape()[0], z = vae.config().latent;
  LabReport report;
  report.images = n;
  report.latent = z;
  VaePosterior target(vae, images);
  auto update = [&](int64_t done, int64_t total) { progress.update(done, total); };
  auto mean_line = [](const MethodResult& m) { return format("mean %.3f nats", average(m.value)); };

  std::vector<PosteriorGrid> exact;
  if (z == 2) {
    progress.start("exact log p(x) by quadrature");
    const auto start = std::chrono::steady_clock::now();
    exact = exact_posterior(target, options.quadrature, update);
    MethodResult m{"exact (quadrature)", "exact"};
    for (const PosteriorGrid& grid : exact) {
      m.value.push_back(grid.log_marginal);
      m.error.push_back(grid.change);  // the last refinement's change, not a standard error
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t unconverged = 0;
    for (const PosteriorGrid& grid : exact) unconverged += grid.converged ? 0 : 1;
    progress.finish(mean_line(m) +
                    (unconverged > 0 ? format(", %.0f images not converged", double(unconverged)) : std::string()));
    report.methods.push_back(std::move(m));
  }

  progress.start("importance-weighted bounds");
  const std::vector<ImportanceBound> bounds =
      importance_weighted_bounds(vae, images, options.importance_samples, rng, update);
  for (const ImportanceBound& bound : bounds) {
    MethodResult m{
        bound.samples == 1 ? std::string("encoder ELBO (IWAE, K = 1)") : "IWAE, K = " + std::to_string(bound.samples),
        "lower bound", bound.value, bound.standard_error, bound.seconds};
    report.methods.push_back(std::move(m));
  }
  progress.finish("K = 1 ... " + std::to_string(options.importance_samples.back()) + ", " +
                  mean_line(report.methods.back()));

  Tensor encoder_loc, encoder_log_variance;
  encoder_parameters(vae, images, encoder_loc, encoder_log_variance);
  VariationalFit from_encoder, from_prior;
  for (int start_at_encoder = 1; start_at_encoder >= 0; --start_at_encoder) {
    progress.start(start_at_encoder ? "per-datapoint VI from the encoder" : "per-datapoint VI from N(0, I)");
    VariationalFit fit =
        start_at_encoder
            ? fit_per_datapoint(vae, images, encoder_loc, encoder_log_variance, options.variational, rng, update)
            : fit_per_datapoint(vae, images, Tensor({n, z}), Tensor({n, z}), options.variational, rng, update);
    MethodResult m{start_at_encoder ? "per-datapoint VI, from the encoder" : "per-datapoint VI, from N(0, I)",
                   "lower bound", fit.elbo, fit.elbo_error, fit.seconds};
    progress.finish(mean_line(m));
    report.methods.push_back(std::move(m));
    (start_at_encoder ? from_encoder : from_prior) = std::move(fit);
  }

  progress.start("annealed importance sampling");
  const AisEstimate ais = run_ais(target, options.ais, rng, update);
  report.methods.push_back(
      {"AIS, " + std::to_string(options.ais.steps) + " steps x " + std::to_string(options.ais.chains) + " chains",
       "estimate", ais.log_marginal, ais.standard_error, ais.seconds});
  progress.finish(mean_line(report.methods.back()) + format(", acceptance %.2f", average(ais.acceptance)));
  const std::vector<double> reference = z == 2 ? report.methods.front().value : ais.log_marginal;
  report.approximation_reference = z == 2 ? "exact" : "AIS";
  const MethodResult& encoder_elbo = *report.find("encoder ELBO (IWAE, K = 1)");
  // The optimized q of an image: the better of the two starts (a posterior with several
  // modes can hold either in a worse one).
  for (int64_t i = 0; i < n; ++i) {
    const double best = std::max(from_encoder.elbo[size_t(i)], from_prior.elbo[size_t(i)]);
    report.amortization_gap.push_back(best - encoder_elbo.value[size_t(i)]);
    report.approximation_gap.push_back(reference[size_t(i)] - best);
  }

  const Tensor initial = repeated_rows(encoder_loc, options.chains);
  progress.start("Hamiltonian Monte Carlo");
  report.samplers.push_back(
      summarize("HMC", run_hmc(target, initial, options.hmc, rng, update), exact, options.chains));
  progress.finish(
      format("ESS/s %.0f, acceptance %.2f", report.samplers.back().ess_per_second, report.samplers.back().acceptance));
  progress.start("random-walk Metropolis-Hastings");
  report.samplers.push_back(
      summarize("MH", run_metropolis(target, initial, options.metropolis, rng, update), exact, options.chains));
  progress.finish(
      format("ESS/s %.0f, acceptance %.2f", report.samplers.back().ess_per_second, report.samplers.back().acceptance));
  if (z == 2) {
    progress.start("Gibbs sampling on grids");
    report.samplers.push_back(
        summarize("Gibbs", run_gibbs(target, initial, options.gibbs, rng, update), exact, options.chains));
    progress.finish(format("ESS/s %.0f", report.samplers.back().ess_per_second));
  }
  if (z <= 5) {
    progress.start("the Appendix D estimator");
    MarginalLikelihoodOptions appendix_d = options.appendix_d;
    appendix_d.chains = options.chains;
    const MarginalLikelihoodEstimate estimate = estimate_marginal_likelihood(target, initial, appendix_d, rng, update);
    report.methods.push_back({"Appendix D estimator (HMC + fitted Gaussian)", "estimate", estimate.log_marginal,
                              estimate.standard_error, estimate.seconds});
    progress.finish(mean_line(report.methods.back()));
  }
  if (z == 2) {
    progress.start("posterior pictures");
    report.views =
        posterior_views(vae, target, exact, encoder_loc, encoder_log_variance, &from_encoder, options.picture_side);
    progress.finish(std::to_string(n) + " views");
  }
  return report;
}

std::string posterior_script(const LabReport& report, const std::vector<std::string>& titles, int64_t panels) {
  check(!report.views.empty(), "posterior_script: no posterior views (the latent is not 2-D)");
  panels = std::min<int64_t>(panels, int64_t(report.views.size()));
  const int64_t columns = std::min<int64_t>(3, panels), rows = (panels + columns - 1) / columns;
  std::string script;
  char line[256];
  auto number = [&](double v) {
    std::snprintf(line, sizeof line, "%.6g", v);
    return std::string(line);
  };
  // Data first: each panel's grid (x, y, exact, encoder q, optimized q) and draws.
  for (int64_t p = 0; p < panels; ++p) {
    const PosteriorView& view = report.views[size_t(p)];
    script += "$grid" + std::to_string(p) + " << EOD\n";
    for (int64_t a = 0; a < view.side; ++a) {
      for (int64_t b = 0; b < view.side; ++b) {
        const size_t c = size_t(a * view.side + b);
        std::snprintf(line, sizeof line, "%.5g %.5g %.5g %.5g %.5g\n",
                      view.low[0] + (a + 0.5) * (view.high[0] - view.low[0]) / double(view.side),
                      view.low[1] + (b + 0.5) * (view.high[1] - view.low[1]) / double(view.side), view.exact[c],
                      view.encoder[c], view.fitted[c]);
        script += line;
      }
      script += "\n";
    }
    script += "EOD\n";
    for (const SamplerResult& sampler : report.samplers) {
      if (sampler.name == "Gibbs") continue;  // two kinds of dots are as many as the eye separates
      script += "$" + sampler.name + std::to_string(p) + " << EOD\n";
      const Tensor& samples = sampler.run.samples;
      const int64_t s = samples.shape()[0], r = samples.shape()[1], chains = r / report.images;
      const int64_t every = std::max<int64_t>(1, s * chains / 300);  // about 300 dots per image
      for (int64_t t = 0; t < s; ++t)
        for (int64_t c = 0; c < chains; ++c)
          if ((t * chains + c) % every == 0) {
            const float* z = samples.data() + (t * r + p * chains + c) * 2;
            std::snprintf(line, sizeof line, "%.5g %.5g\n", z[0], z[1]);
            script += line;
          }
      script += "EOD\n";
    }
  }
  // Contour lines into tables, then the plots.
  script += "set contour base\nunset surface\nset view map\n";
  for (int64_t p = 0; p < panels; ++p) {
    const PosteriorView& view = report.views[size_t(p)];
    const std::string i = std::to_string(p);
    script += "set cntrparam levels discrete " + number(view.exact_levels[0]) + "," + number(view.exact_levels[1]) +
              "," + number(view.exact_levels[2]) + "\nset table $exact" + i + "\nsplot $grid" + i +
              " using 1:2:3 with lines\nunset table\n";
    script += "set cntrparam levels discrete " + number(view.encoder_level) + "\nset table $encoder" + i +
              "\nsplot $grid" + i + " using 1:2:4 with lines\nunset table\n";
    script += "set cntrparam levels discrete " + number(view.fitted_level) + "\nset table $fitted" + i +
              "\nsplot $grid" + i + " using 1:2:5 with lines\nunset table\n";
  }
  script += "unset contour\nset surface\nset view\n";
  script += "set terminal pngcairo size " + std::to_string(520 * columns) + "," + std::to_string(500 * rows + 60) +
            " noenhanced font ',10'\nset output output_file\n";
  script += "set multiplot layout " + std::to_string(rows) + "," + std::to_string(columns) +
            " title 'The posterior p(z | x) of a 2-D VAE: exact contours (black: 50, 90, 99% of the mass), the "
            "encoder q (blue) and per-datapoint optimized q (red) at 90%, HMC (orange) and MH (green) draws'\n";
  script += "set size ratio -1\nset key bottom right font ',8' opaque\nset xlabel 'z_1'\nset ylabel 'z_2'\n";
  for (int64_t p = 0; p < panels; ++p) {
    const PosteriorView& view = report.views[size_t(p)];
    const std::string i = std::to_string(p);
    script += "set title '" + titles[size_t(p)] + "'\n";
    script += "set xrange [" + number(view.low[0]) + ":" + number(view.high[0]) + "]\nset yrange [" +
              number(view.low[1]) + ":" + number(view.high[1]) + "]\n";
    script += "plot $HMC" + i + " with points pt 7 ps 0.35 lc rgb '#f28e2b' title 'HMC', $MH" + i +
              " with points pt 7 ps 0.35 lc rgb '#59a14f' title 'MH', $exact" + i +
              " with lines lw 1.5 lc rgb 'black' title 'exact', $encoder" + i +
              " with lines lw 2 dt 2 lc rgb '#1f4e9c' title 'encoder q', $fitted" + i +
              " with lines lw 2 lc rgb '#d62728' title 'optimized q'\n";
  }
  script += "unset multiplot\n";
  return script;
}

}  // namespace aevb::models::inference
