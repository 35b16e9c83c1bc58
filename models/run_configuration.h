// What a training run records about itself and checks before it writes anything: the
// configuration stored in its checkpoint (every flag that changes what it computes),
// and, when it resumes, that checkpoint against this run's flags, counters and logs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "datasets/image_set.h"
#include "models/run_log.h"
#include "nn/checkpoint.h"
#include "nn/module.h"
#include "nn/optimizer.h"

namespace aevb::models {

struct TrainingOptions;

// Every name a training run may write into --out.
extern const std::vector<std::string> kNamesWritten;

using Configuration = std::map<std::string, std::string>;

// The data a run trained on: sizes, classes and a CRC-32 of every pixel and label (the
// path may differ between machines; the data may not).
std::string data_identity(const datasets::TrainTest& data);
// A flag's value as a user writes it: the shortest text that reads back as the same
// float (0.01, not 0.00999999978).
std::string number_text(float value);
std::string sizes_text(const std::vector<int64_t>& sizes);  // "500,500"
// The sizes of such a text (throws std::invalid_argument on one that is not).
std::vector<int64_t> sizes_from_text(const std::string& list);

// The flags every training run records: all that change what it computes (not
// --epochs, which a resumed run may extend, nor --threads, which changes no bit).
Configuration common_configuration(const TrainingOptions& options, const datasets::TrainTest& data);

// Everything a run checks before it writes: the folder, the data against what the
// pictures can draw, and, when resuming, the checkpoint against `configuration`
// (refused naming the flag and both values), its counters, and the logs it continues.
// Loads the checkpoint into the model, optimizer and generator. Throws InputError
// with nothing written.
nn::TrainingProgress check_and_resume(const TrainingOptions& options, const Configuration& configuration,
                                      const datasets::TrainTest& data, int64_t batches_per_epoch, nn::Module& model,
                                      nn::Optimizer& optimizer, Rng& rng, const std::vector<RunLog*>& logs);

}  // namespace aevb::models
