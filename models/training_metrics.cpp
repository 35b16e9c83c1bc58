#include "models/training_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "autodiff/error.h"

namespace aevb::models {
namespace {

double l2_norm(const Tensor& t) { return std::sqrt(nn::squared_l2_norm(t)); }

// The parameter tensor whose gradient has the largest L2 norm, a non-finite one first.
std::string largest_gradient(const nn::Optimizer& optimizer) {
  std::string largest = "none";
  double largest_rank = -1;
  for (const nn::NamedParameter& named : optimizer.parameters()) {
    const double norm = l2_norm(named.parameter->grad());
    const double rank = std::isfinite(norm) ? norm : std::numeric_limits<double>::infinity();  // NaN too
    if (rank > largest_rank) {
      largest_rank = rank;
      largest = named.name + " (norm " + format("%g", norm) + ")";
    }
  }
  return largest;
}

}  // namespace

std::string format(const char* pattern, double a, double b, double c) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

[[noreturn]] void stop_diverged(const std::string& checkpoint_path, const std::string& why, int epoch, int64_t step,
                                const nn::Optimizer& optimizer, uint64_t checkpoint_epoch) {
  fail("training diverged at epoch ", epoch, ", step ", step, ": ", why,
       "; the largest gradient of the last backward pass is in ", largest_gradient(optimizer), "; ",
       checkpoint_epoch > 0 ? "the last good checkpoint is " + checkpoint_path + " (after epoch " +
                                  std::to_string(checkpoint_epoch) + ")"
                            : std::string("no checkpoint was written yet"));
}

LayerStatistics measured_step(nn::Optimizer& optimizer) {
  LayerStatistics stats;
  std::vector<Tensor> before;
  for (const nn::NamedParameter& named : optimizer.parameters()) before.push_back(named.parameter->value());
  for (const nn::NamedParameter& named : optimizer.parameters())
    stats.gradient_norm.push_back(l2_norm(named.parameter->grad()));
  optimizer.step();
  for (size_t p = 0; p < before.size(); ++p) {
    const Tensor& after = optimizer.parameters()[p].parameter->value();
    double change = 0;
    for (int64_t i = 0; i < after.numel(); ++i) change += std::pow(static_cast<double>(after[i]) - before[p][i], 2);
    stats.names.push_back(optimizer.parameters()[p].name);
    stats.weight_norm.push_back(l2_norm(after));
    stats.update_ratio.push_back(std::sqrt(change) / std::max(1e-30, stats.weight_norm.back()));
  }
  return stats;
}

std::string layers_header(const nn::Optimizer& optimizer) {
  std::string header = "epoch";
  for (const char* what : {"gradient_norm", "update_ratio"})
    for (const nn::NamedParameter& named : optimizer.parameters()) header += "\t" + named.name + ":" + what;
  return header;
}

std::string layers_row(int epoch, const LayerStatistics& stats) {
  std::string row = std::to_string(epoch);
  char number[32];
  for (const std::vector<double>* column : {&stats.gradient_norm, &stats.update_ratio})
    for (double v : *column) {
      std::snprintf(number, sizeof number, "\t%.6g", v);
      row += number;
    }
  return row;
}

// layers.png from layers.tsv: gradient norms and update/weight ratios per parameter
// tensor over the epochs, on log scales.
std::string layers_script(size_t parameters) {
  // noenhanced: parameter names hold '_', which gnuplot would read as a subscript.
  return "set terminal pngcairo size 1000,800 noenhanced\nset output output_file\n"
         "set datafile separator '\\t'\nset key outside right font ',8'\nset logscale y\n"
         "set multiplot layout 2,1\nset title 'gradient norm per parameter tensor (last step of each epoch)'\n"
         "plot for [c=2:" +
         std::to_string(parameters + 1) +
         "] 'layers.tsv' using 1:c with linespoints title columnheader(c)\n"
         "set title 'update / weight norm ratio'\nset xlabel 'epoch'\n"
         "plot for [c=" +
         std::to_string(parameters + 2) + ":" + std::to_string(2 * parameters + 1) +
         "] 'layers.tsv' using 1:c with linespoints title columnheader(c)\nunset multiplot\n";
}

const std::vector<CurvePanel> kVaeCurves = {
    {"-ELBO (lower is better)", {{"train_neg_elbo", "train"}, {"test_neg_elbo", "test"}}},
    {"its first term, the reconstruction -E_q log p(x|z)", {{"train_recon", "train"}, {"test_recon", "test"}}},
    {"its second term, KL(q(z|x) || p(z))", {{"train_kl", "train"}, {"test_kl", "test"}}}};
const std::vector<CurvePanel> kAutoencoderCurves = {{"reconstruction loss (binary cross-entropy, lower is better)",
                                                     {{"train_recon", "train"}, {"test_recon", "test"}}}};

std::string draw_plots(const RunFolder& folder, const RunLog& metrics, const RunLog* layers,
                       const std::vector<CurvePanel>& panels, size_t parameters) {
  if (metrics.lines().empty()) return "";
  std::string note = plot_with_gnuplot(folder, "curves", curves_script(metrics, panels));
  if (note.empty() && layers != nullptr && !layers->lines().empty())
    note = plot_with_gnuplot(folder, "layers", layers_script(parameters));
  return note;
}

}  // namespace aevb::models
