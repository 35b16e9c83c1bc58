// What reproduce_figure2 and reproduce_figure3 share: their flags, the output folder,
// the measured images, the progress lines, the JSON lines (rewritten after every curve,
// so a long run's finished curves are on disk) and the picture.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "autodiff/kernels/gemm.h"
#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "examples/cli.h"
#include "models/inference/learning_curves.h"
#include "models/progress.h"
#include "models/run_folder.h"
#include "models/run_log.h"

namespace aevb::examples {

struct FigureFlags {
  std::string data = "mnist-subset", out;
  int64_t hidden = 500;
  std::string latents;
  int64_t budget = 1000000, eval_images = 1000, points_per_decade = 4, trial_samples = 20000;
  uint64_t seed = 1;
  int threads = 0;
};

inline void add_figure_flags(CLI::App& app, FigureFlags& flags) {
  app.add_option("--data", flags.data, "mnist-subset, fashion-mnist or idx:DIR (28x28 images)");
  app.add_option("--hidden", flags.hidden, "tanh hidden units")->check(CLI::Range(int64_t{1}, int64_t{100000}));
  app.add_option("--budget", flags.budget, "training samples evaluated per curve (the paper: up to 10^8)")
      ->check(CLI::Range(int64_t{100}, int64_t{10000000000}));
  app.add_option("--eval-images", flags.eval_images, "training and test images each curve is measured on")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  app.add_option("--points-per-decade", flags.points_per_decade, "measurements per tenfold of samples")
      ->check(CLI::Range(int64_t{1}, int64_t{100}));
  app.add_option("--trial-samples", flags.trial_samples,
                 "samples each candidate Adagrad step size (0.01, 0.02, 0.1) trains for before one is chosen")
      ->check(CLI::Range(int64_t{100}, int64_t{100000000}));
  app.add_option("--seed", flags.seed, "random seed")->check(unsigned_64());
  add_threads_flag(app, flags.threads);
  app.add_option("--out", flags.out, "output folder");
}

class FigureRun {
 public:
  // `check_data` refuses what the program's own flags ask of the data, before --out is touched.
  FigureRun(const FigureFlags& flags, const std::string& name, int curves,
            const std::function<void(const datasets::TrainTest&)>& check_data = {})
      : flags_(flags), name_(name), progress_(curves) {
    try {
      data_ = datasets::load_dataset(flags.data);
    } catch (const std::exception& error) {
      throw InputError(std::string("--data: ") + error.what());
    }
    if (data_.train.pixels_per_image() != 784)
      throw InputError("--data: images of " + std::to_string(data_.train.rows) + "x" +
                       std::to_string(data_.train.columns) + "; the paper's protocol is for 28x28");
    if (flags.eval_images > data_.test.count || flags.eval_images > data_.train.count)
      throw InputError("--eval-images: " + std::to_string(flags.eval_images) + " is more than --data has (" +
                       std::to_string(data_.train.count) + " training, " + std::to_string(data_.test.count) +
                       " test images)");
    if (check_data) check_data(data_);
    models::RunFolder::check_usable(flags.out, {name + ".jsonl", name + ".gnuplot", name + ".png"});
    folder_ = std::make_unique<models::RunFolder>(flags.out, "reproduce_" + name);
    if (flags.threads > 0) kernels::set_thread_count(flags.threads);
    test_images_ =
        models::inference::intensities(datasets::spread_subset(data_.test, flags.eval_images), flags.eval_images);
  }
  const datasets::TrainTest& data() const { return data_; }

  void curve(models::inference::CurveOptions options, const datasets::ImageSet& train,
             const models::inference::Measure& measure, const std::string& panel) {
    options.budget = flags_.budget;
    options.points_per_decade = flags_.points_per_decade;
    options.trial_samples = flags_.trial_samples;
    options.seed = flags_.seed;
    const std::string learner = models::inference::to_string(options.learner);
    progress_.start(panel + ", " + learner);
    // Measured on images of the set it trains on, and on test images.
    const int64_t count = std::min(flags_.eval_images, train.count);
    const Tensor train_images = models::inference::intensities(datasets::spread_subset(train, count), count);
    const models::inference::Curve curve =
        models::inference::learning_curve(options, train, train_images, test_images_, measure,
                                          [&](int64_t done, int64_t total) { progress_.update(done, total); });
    if (std::find(panels_.begin(), panels_.end(), panel) == panels_.end()) panels_.push_back(panel);
    for (const models::inference::CurvePoint& point : curve.points) {
      lines_ += models::JsonLine()
                    .add_text("panel", panel)
                    .add_text("learner", learner)
                    .add("latent", options.latent)
                    .add("hidden", options.hidden)
                    .add("training_images", train.count)
                    .add("learning_rate", double(curve.learning_rate))
                    .add("samples", point.samples)
                    .add("train", point.train)
                    .add("test", point.test)
                    .add("seconds", point.seconds)
                    .str() +
                "\n";
      // Each panel's vertical range shows the last two decades: the first ones plunge to
      // the untrained model's -543 and would flatten the rest.
      if (point.samples >= std::max<int64_t>(10 * options.batch, options.budget / 100)) {
        auto [low, inserted] = lowest_.try_emplace(panel, point.train);
        low->second = std::min({low->second, point.train, point.test});
      }
      series_[panel + "\t" + learner] +=
          std::to_string(point.samples) + " " + number(point.train) + " " + number(point.test) + "\n";
    }
    folder_->write(name_ + ".jsonl", lines_);
    char summary[160];
    std::snprintf(summary, sizeof summary, "step size %g: after %lld samples train %.2f, test %.2f",
                  double(curve.learning_rate), static_cast<long long>(curve.points.back().samples),
                  curve.points.back().train, curve.points.back().test);
    progress_.finish(summary);
  }

  void plot(const std::string& y_label, const std::string& title) {
    const size_t columns = std::min<size_t>(panels_.size(), 3), rows = (panels_.size() + columns - 1) / columns;
    std::string script = "set terminal pngcairo size " + std::to_string(480 * columns) + "," +
                         std::to_string(400 * rows + 50) + " noenhanced font ',10'\nset output output_file\n";
    for (const auto& [key, data] : series_) script += "$" + block_name(key) + " << EOD\n" + data + "EOD\n";
    script += "set multiplot layout " + std::to_string(rows) + "," + std::to_string(columns) + " title '" + title +
              "'\nset logscale x\nset format x '10^%T'\nset grid\nset key bottom right font ',8'\n" +
              "set xlabel 'training samples evaluated'\nset ylabel '" + y_label + "'\n";
    const std::map<std::string, std::string> colours = {
        {"AEVB", "#d62728"}, {"wake-sleep", "#2ca02c"}, {"MCEM", "#1f77b4"}};
    for (const std::string& panel : panels_) {
      script += "set title '" + panel + "'\nset yrange [" +
                (lowest_.count(panel) ? number(lowest_[panel] - 5) : std::string("*")) + ":*]\nplot ";
      bool first = true;
      for (const auto& [learner, colour] : colours) {
        const std::string key = panel + "\t" + learner;
        if (series_.count(key) == 0) continue;
        script += std::string(first ? "" : ", ") + "$" + block_name(key) + " using 1:2 with linespoints pt 7 ps 0.5 " +
                  "lw 2 lc rgb '" + colour + "' title '" + learner + " train', $" + block_name(key) +
                  " using 1:3 with linespoints pt 6 ps 0.5 lw 2 dt 2 lc rgb '" + colour + "' title '" + learner +
                  " test'";
        first = false;
      }
      script += "\n";
    }
    script += "unset multiplot\n";
    const std::string note = models::plot_with_gnuplot(*folder_, name_, script);
    std::printf("%s\nwrote %s\n", note.empty() ? ("wrote " + folder_->path(name_ + ".png")).c_str() : note.c_str(),
                folder_->path(name_ + ".jsonl").c_str());
  }

 private:
  static std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
  }
  // A gnuplot data block name from a panel and a learner: letters and digits only.
  std::string block_name(const std::string& key) {
    auto found = blocks_.find(key);
    if (found != blocks_.end()) return found->second;
    return blocks_[key] = "series" + std::to_string(blocks_.size());
  }

  FigureFlags flags_;
  std::string name_;
  datasets::TrainTest data_;
  std::unique_ptr<models::RunFolder> folder_;
  Tensor test_images_;
  models::StageProgress progress_;
  std::vector<std::string> panels_;
  std::map<std::string, std::string> series_, blocks_;
  std::string lines_;
  std::map<std::string, double> lowest_;  // per panel
};

}  // namespace aevb::examples
