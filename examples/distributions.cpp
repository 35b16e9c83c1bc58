// distributions: the reparameterized families at work. For each family, 100,000 draws of
// rsample: their mean and variance beside the closed forms, and a picture, a grid of
// histograms with the density drawn over them, one panel per family, in the paper's
// three groups (location-scale, inverse cdf, composition).
//   distributions [--out DIR] [--draws N] [--seed S]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "autodiff/files.h"
#include "examples/cli.h"
#include "models/run_folder.h"
#include "models/run_log.h"
#include "nn/distributions/distributions.h"

namespace {
using namespace aevb;
namespace fs = std::filesystem;

struct Panel {
  const char* name;
  const char* group;
  const char* parameters;
  std::function<std::unique_ptr<nn::Distribution>(Tape&, int64_t)> make;
};

std::vector<Panel> panels() {
  auto constant = [](Tape& t, int64_t n, float v) { return t.constant({n}, v); };
  return {
      {"Normal", "location-scale", "loc 0, scale 1",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Normal>(constant(t, n, 0), constant(t, n, 1)); }},
      {"Laplace", "location-scale", "loc 0, scale 1",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Laplace>(constant(t, n, 0), constant(t, n, 1)); }},
      {"Logistic", "location-scale", "loc 0, scale 1",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Logistic>(constant(t, n, 0), constant(t, n, 1)); }},
      {"Cauchy", "location-scale", "loc 0, scale 1",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Cauchy>(constant(t, n, 0), constant(t, n, 1)); }},
      {"StudentT", "location-scale", "df 3, loc 0, scale 1",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::StudentT>(3.0f, constant(t, n, 0), constant(t, n, 1)); }},
      {"Gumbel", "location-scale", "loc 0, scale 1",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Gumbel>(constant(t, n, 0), constant(t, n, 1)); }},
      {"Uniform", "location-scale", "low -1, high 2",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Uniform>(constant(t, n, -1), constant(t, n, 2)); }},
      {"Exponential", "inverse cdf", "rate 1.5",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Exponential>(constant(t, n, 1.5f)); }},
      {"Weibull", "inverse cdf", "scale 1, k 1.8",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Weibull>(constant(t, n, 1), constant(t, n, 1.8f)); }},
      {"Kumaraswamy", "inverse cdf", "a 2, b 5",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Kumaraswamy>(constant(t, n, 2), constant(t, n, 5)); }},
      {"LogNormal", "composition", "exp of N(0, 0.5^2)",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::LogNormal>(constant(t, n, 0), constant(t, n, 0.5f)); }},
      {"Gamma", "composition", "a 2.5, rate 1.5 (implicit)",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Gamma>(constant(t, n, 2.5f), constant(t, n, 1.5f)); }},
      {"Beta", "composition", "a 2, b 3.5 (implicit)",
       [=](Tape& t, int64_t n) { return std::make_unique<nn::Beta>(constant(t, n, 2), constant(t, n, 3.5f)); }},
  };
}

// The closed form of a moment as text, or why there is none.
std::string closed_form(const std::function<Var()>& moment) {
  try {
    char text[32];
    std::snprintf(text, sizeof text, "%9.4f", moment().data()[0]);
    return text;
  } catch (const Error&) {
    return "undefined";
  }
}

int run(const std::string& out, int64_t draws, uint64_t seed) {
  models::RunFolder::check_usable(out, {"distributions.gnuplot", "distributions.png"});
  const models::RunFolder folder(out, "distributions");
  std::printf("%-12s %-15s %-20s %10s %10s   %10s %10s\n", "family", "group", "parameters", "mean", "(closed)",
              "variance", "(closed)");
  // gnuplot runs in the folder: the script names files by fixed relative names only.
  std::ostringstream script;
  script << "set terminal pngcairo size 1800,1000 noenhanced\nset output output_file"
         << "\nset multiplot layout 3,5 title 'rsample histograms (bars) and densities exp(log_prob) (lines)'\n"
         << "set style fill solid 0.5 noborder\nunset key\nset yrange [0:*]\n";
  Rng rng(seed);
  const std::vector<Panel> all = panels();
  for (size_t p = 0; p < all.size(); ++p) {
    const Panel& panel = all[p];
    Tape tape;
    std::unique_ptr<nn::Distribution> d = panel.make(tape, draws);
    Var z = d->rsample(rng);
    std::vector<float> values(z.data(), z.data() + draws);
    double mean = 0, squares = 0;
    for (float v : values) mean += v / static_cast<double>(draws);
    for (float v : values) squares += (v - mean) * (v - mean) / static_cast<double>(draws - 1);
    std::printf("%-12s %-15s %-20s %10.4f %10s   %10.4f %10s\n", panel.name, panel.group, panel.parameters, mean,
                closed_form([&] { return d->mean(); }).c_str(), squares,
                closed_form([&] { return d->variance(); }).c_str());

    // The histogram over the central 99% of the draws, as a density; heavy tails (Cauchy)
    // are cut at 8 interquartile ranges from the median so the shape stays visible.
    std::vector<float> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    auto quantile = [&](double q) {
      return static_cast<double>(sorted[static_cast<size_t>(q * static_cast<double>(draws - 1))]);
    };
    const double spread = 8 * (quantile(0.75) - quantile(0.25));
    const double low = std::max(quantile(0.005), quantile(0.5) - spread),
                 high = std::min(quantile(0.995), quantile(0.5) + spread);
    const int bins = 60;
    const double width = (high - low) / bins;
    std::vector<int64_t> counts(bins, 0);
    for (float v : values)
      if (v >= low && v < high)
        ++counts[static_cast<size_t>(std::min<int64_t>(bins - 1, static_cast<int64_t>((v - low) / width)))];
    const std::string histogram = std::string(panel.name) + "_histogram.tsv";
    std::ostringstream bars;
    for (int b = 0; b < bins; ++b)
      bars << low + (b + 0.5) * width << "\t"
           << static_cast<double>(counts[static_cast<size_t>(b)]) / (static_cast<double>(draws) * width) << "\n";
    // The density on a fine grid, from the family's own log_prob.
    const int grid = 300;
    Tape density_tape;
    std::unique_ptr<nn::Distribution> same = panel.make(density_tape, grid);
    Tensor xs({grid});
    for (int i = 0; i < grid; ++i) xs[i] = static_cast<float>(low + (high - low) * (i + 0.5) / grid);
    Var log_density = same->log_prob(density_tape.input(xs));
    folder.write(histogram, bars.str());
    const std::string density = std::string(panel.name) + "_density.tsv";
    std::ostringstream curve;
    for (int i = 0; i < grid; ++i) curve << xs[i] << "\t" << std::exp(log_density.data()[i]) << "\n";
    script << "set title '" << panel.name << " (" << panel.group << "): " << panel.parameters << "'\n"
           << "plot '" << histogram << "' using 1:2:(" << width << ") with boxes lc rgb '#6baed6', '"
           << density << "' using 1:2 with lines lw 2 lc rgb '#d62728'\n";
    folder.write(density, curve.str());
  }
  script << "unset multiplot\n";
  const std::string note = models::plot_with_gnuplot(folder, "distributions", script.str());
  std::printf("%s\n", note.empty() ? ("wrote " + folder.path("distributions.png")).c_str() : note.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = "distributions-out";
  int64_t draws = 100000;
  uint64_t seed = 1;
  CLI::App app{"Draws every family's rsample, compares its moments with the closed forms, and pictures it"};
  app.add_option("--out", out, "output folder");
  app.add_option("--draws", draws, "draws per family")->check(CLI::Range(int64_t{1000}, int64_t{10000000}));
  app.add_option("--seed", seed, "random seed")->check(aevb::examples::unsigned_64());
  if (int status = aevb::examples::parse_flags(app, argc, argv); status >= 0) return status;
  aevb::files::remove_partial_file_on_signals();
  try {
    return run(out, draws, seed);
  } catch (const aevb::InputError& refused) {
    std::cerr << refused.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "distributions: " << error.what() << "\n";
    return 1;
  }
}
