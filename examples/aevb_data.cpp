// aevb-data: what data sets there are, what is in them, and what they look like.
//   aevb-data list
//   aevb-data info NAME
//   aevb-data show NAME [--count 64] [--split train|test] [--binarize none|static|threshold|dynamic] [--seed N]
//                  [--out grid.png]
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "examples/cli.h"
#include "datasets/batcher.h"
#include "datasets/image_grid.h"
#include "datasets/sources.h"

namespace {

using namespace aevb::datasets;

void list() {
  std::printf("%-14s %-10s %s\n", "name", "status", "location");
  for (const SourceInfo& source : list_sources()) {
    std::string status = source.available ? "available" : "-";
    std::printf("%-14s %-10s %s", source.name.c_str(), status.c_str(), source.location.c_str());
    if (source.available) {
      TrainTest split = load_dataset(source.name);
      std::printf("  (%lld train + %lld test images of %lldx%lld)", static_cast<long long>(split.train.count),
                  static_cast<long long>(split.test.count), static_cast<long long>(split.train.rows),
                  static_cast<long long>(split.train.columns));
    } else {
      std::printf("  [%s]", source.how_to_get.c_str());
    }
    std::printf("\n");
  }
}

void describe(const ImageSet& set) {
  double sum = 0, squares = 0;
  int64_t zeros = 0, saturated = 0;
  for (uint8_t v : set.pixels) {
    double x = v / 255.0;
    sum += x;
    squares += x * x;
    zeros += v == 0;
    saturated += v == 255;
  }
  const double n = static_cast<double>(set.pixels.size()), mean = sum / n;
  std::printf("%s: %lld images of %lldx%lld pixels\n", set.name.c_str(), static_cast<long long>(set.count),
              static_cast<long long>(set.rows), static_cast<long long>(set.columns));
  std::printf("  pixels in [0,1]: mean %.4f, std %.4f, %.1f%% exactly 0, %.1f%% exactly 1\n", mean,
              std::sqrt(std::max(0.0, squares / n - mean * mean)), 100.0 * zeros / n, 100.0 * saturated / n);
  if (!set.labelled()) {
    std::printf("  unlabelled\n");
    return;
  }
  std::vector<int64_t> per_class(static_cast<size_t>(set.classes));
  for (uint8_t label : set.labels) ++per_class[label];
  std::printf("  classes:");
  for (int c = 0; c < set.classes; ++c)
    std::printf(" %d:%lld (%.1f%%)", c, static_cast<long long>(per_class[static_cast<size_t>(c)]),
                100.0 * static_cast<double>(per_class[static_cast<size_t>(c)]) / static_cast<double>(set.count));
  std::printf("\n");
}

void show(const TrainTest& split, const std::string& name, int64_t count, const std::string& split_name,
          const std::string& binarize, uint64_t seed, const std::string& out) {
  const ImageSet& set = split_name == "test" ? split.test : split.train;
  count = std::min(count, set.count);
  // A seeded random sample: the sets are stored class by class.
  Batcher batcher(set,
                  {.batch_size = count, .shuffle = true, .binarization = parse_binarization(binarize), .seed = seed});
  const Batch* batch = batcher.next();
  int64_t columns = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(count)))));
  write_image_grid_png(out, batch->images.data(), count, set.rows, set.columns, columns, 2);
  std::printf("wrote %s: %lld %s images of %s (random sample, seed %llu)\n", out.c_str(), static_cast<long long>(count),
              split_name.c_str(), name.c_str(), static_cast<unsigned long long>(seed));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aevb-data: list, describe and show the data sets aevb reads"};
  app.require_subcommand(1);
  app.add_subcommand("list", "the data sets, where they are, and whether they are installed");
  std::string name;
  auto* info = app.add_subcommand("info", "counts, image shape, class balance and pixel statistics");
  info->add_option("name", name, "mnist-subset, fashion-mnist, idx:DIR or frey:FILE")->required();
  std::string out = "grid.png", split = "train", binarize = "none";
  int64_t count = 64;
  uint64_t seed = 0;
  auto* show_command = app.add_subcommand("show", "writes a PNG grid of images");
  show_command->add_option("name", name, "mnist-subset, fashion-mnist, idx:DIR or frey:FILE")->required();
  show_command->add_option("--count", count, "how many images")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  show_command->add_option("--split", split, "train or test")->check(CLI::IsMember({"train", "test"}));
  show_command->add_option("--binarize", binarize, "none, static, threshold or dynamic")
      ->check(CLI::IsMember({"none", "static", "threshold", "dynamic"}));
  show_command->add_option("--seed", seed, "which random sample")->check(aevb::examples::unsigned_64());
  show_command->add_option("--out", out, "the PNG file to write");
  if (int status = aevb::examples::parse_flags(app, argc, argv); status >= 0) return status;
  TrainTest data;
  if (info->parsed() || show_command->parsed()) {
    try {  // a data set that cannot be read is a refused argument: one line, exit 2
      data = load_dataset(name);
    } catch (const std::exception& error) {
      std::cerr << error.what() << "\n";
      return 2;
    }
  }
  try {
    if (app.got_subcommand("list")) list();
    if (info->parsed()) {
      describe(data.train);
      describe(data.test);
    }
    if (show_command->parsed()) show(data, name, count, split, binarize, seed, out);
  } catch (const std::exception& error) {
    std::cerr << "aevb-data: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
