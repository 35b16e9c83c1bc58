#include "models/run_configuration.h"

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "autodiff/error.h"
#include "models/run_folder.h"
#include "models/training.h"

namespace aevb::models {
namespace {

constexpr int64_t kLargestPictureSide = 256;  // images drawn up to 256 x 256 pixels
constexpr uint64_t kMostEpochs = 100000;      // as --epochs allows

}  // namespace

const std::vector<std::string> kNamesWritten = {
    "metrics.jsonl", "layers.tsv", "layers.gnuplot", "layers.png", "curves.gnuplot", "curves.png", "checkpoint.aevb",
    "reconstructions.png", "samples.png", "latent.png", "manifold.png", "conditional.png", "denoising.png"};

std::string data_identity(const datasets::TrainTest& data) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  for (const datasets::ImageSet* set : {&data.train, &data.test}) {
    crc = ::crc32_z(crc, set->pixels.data(), set->pixels.size());
    crc = ::crc32_z(crc, set->labels.data(), set->labels.size());
  }
  char text[160];
  std::snprintf(text, sizeof text, "%lld training and %lld test images of %lldx%lld, %d classes, CRC-32 %08lx",
                static_cast<long long>(data.train.count), static_cast<long long>(data.test.count),
                static_cast<long long>(data.train.rows), static_cast<long long>(data.train.columns), data.train.classes,
                static_cast<unsigned long>(crc));
  return text;
}

std::string number_text(float value) {
  char text[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  return text;
}

std::string sizes_text(const std::vector<int64_t>& sizes) {
  std::string text;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(sizes[i]);
  }
  return text;
}

std::vector<int64_t> sizes_from_text(const std::string& list) {
  std::vector<int64_t> sizes;
  for (size_t start = 0; start <= list.size();) {
    const size_t comma = std::min(list.find(',', start), list.size());
    sizes.push_back(std::stoll(list.substr(start, comma - start)));
    start = comma + 1;
  }
  return sizes;
}

Configuration common_configuration(const TrainingOptions& options, const datasets::TrainTest& data) {
  return {{"--data", data_identity(data)},
          {"--batch", std::to_string(options.batch)},
          {"--optimizer", nn::to_string(options.optimizer)},
          {"--lr", number_text(options.learning_rate)},
          {"--weight-decay", number_text(options.weight_decay)},
          {"--binarize", datasets::to_string(options.binarization)},
          {"--seed", std::to_string(options.seed)}};
}

nn::TrainingProgress check_and_resume(const TrainingOptions& options, const Configuration& configuration,
                                      const datasets::TrainTest& data, int64_t batches_per_epoch, nn::Module& model,
                                      nn::Optimizer& optimizer, Rng& rng, const std::vector<RunLog*>& logs) {
  RunFolder::check_usable(options.out, kNamesWritten);
  for (const datasets::ImageSet* set : {&data.train, &data.test})
    if (set->rows > kLargestPictureSide || set->columns > kLargestPictureSide)
      refuse("--data: images of ", set->rows, "x", set->columns, " pixels are larger than the pictures draw (at most ",
             kLargestPictureSide, "x", kLargestPictureSide, ")");
  if (options.resume.empty()) return {};
  nn::CheckpointContents contents;
  try {
    contents = nn::read_checkpoint_for(options.resume, model, optimizer);
  } catch (const Error& error) {
    refuse("--resume: ", error.what());
  }
  if (contents.texts.empty())
    refuse("--resume: '", options.resume, "' does not record the configuration it was trained with (an earlier aevb ",
           "wrote it), so resuming it cannot be checked; start a new run");
  for (const auto& [flag, ours] : configuration) {
    const auto theirs = contents.texts.find(flag);
    const std::string recorded = theirs == contents.texts.end() ? "(none recorded)" : theirs->second;
    if (recorded != ours)
      refuse("--resume: '", options.resume, "' was trained with ", flag, " ", recorded, "; this run has ", flag, " ",
             ours, " (resume with the flags it was trained with)");
  }
  const uint64_t epoch = contents.counters.count("epoch") ? contents.counters.at("epoch") : 0;
  const uint64_t step = contents.counters.count("step") ? contents.counters.at("step") : 0;
  if (epoch > kMostEpochs || step != epoch * static_cast<uint64_t>(batches_per_epoch))
    refuse("--resume: '", options.resume, "' claims epoch ", epoch, " and step ", step, ", which a run of ",
           batches_per_epoch, " batches per epoch cannot reach");
  nn::TrainingProgress done;
  try {
    done = nn::load_checkpoint(std::move(contents), options.resume, model, optimizer, rng);
  } catch (const Error& error) {
    refuse("--resume: ", error.what());
  }
  for (RunLog* log : logs)
    log->keep_epochs_from((std::filesystem::path(options.out) / log->name()).string(), done.epoch);
  return done;
}

}  // namespace aevb::models
