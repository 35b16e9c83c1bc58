// What a training run measures about itself besides its losses: per parameter tensor,
// the gradient norm and the update's size (layers.tsv, layers.png, and metrics.jsonl's
// "layers"); its curves (curves.png); and, when it diverges, where.
#pragma once

#include <string>
#include <vector>

#include "models/run_folder.h"
#include "models/run_log.h"
#include "nn/optimizer.h"

namespace aevb::models {

// Per parameter tensor at one step: |gradient|, |weight| and |update| / |weight|.
struct LayerStatistics {
  std::vector<std::string> names;
  std::vector<double> gradient_norm, weight_norm, update_ratio;
};

// Runs the optimizer's step and measures it (the weights are copied first: once an epoch).
LayerStatistics measured_step(nn::Optimizer& optimizer);

// layers.tsv: its header, and one row per epoch; layers.png's gnuplot script.
std::string layers_header(const nn::Optimizer& optimizer);
std::string layers_row(int epoch, const LayerStatistics& stats);
std::string layers_script(size_t parameters);

// The panels of curves.png: what a VAE and an autoencoder minimize, train and test.
extern const std::vector<CurvePanel> kVaeCurves, kAutoencoderCurves;

// curves.png and, with rows in layers.tsv, layers.png. Returns "" or the line saying
// gnuplot is missing.
std::string draw_plots(const RunFolder& folder, const RunLog& metrics, const RunLog* layers,
                       const std::vector<CurvePanel>& panels, size_t parameters);

// Training that diverged stops here: with where, why, the parameter with the largest
// gradient (of this step, or of the last one when this step's forward failed), and
// the checkpoint that is still good, which nothing after it has touched.
[[noreturn]] void stop_diverged(const std::string& checkpoint_path, const std::string& why, int epoch, int64_t step,
                                const nn::Optimizer& optimizer, uint64_t checkpoint_epoch);

// printf's formatting of up to three numbers, as a string
std::string format(const char* pattern, double a, double b = 0, double c = 0);

}  // namespace aevb::models
