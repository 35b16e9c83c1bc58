// Checkpoints: one file with the model's parameters, the optimizer's state, the random
// generator's state and the training progress.
//
// Format, little-endian, version 2 (version 1, read too, has no texts):
//   "AEVBCKPT"                        8-byte magic
//   u32 version, u32 counter count C, u32 tensor count T
//   C x { u16 name length, name, u64 value }       counters ("epoch", "rng.position", ...)
//   u32 text count X, X x { u16 name length, name, u16 value length, value }
//                                                   texts (the run's configuration)
//   u32 CRC-32 of every byte above                  (guards header, counters and texts)
//   T x { u16 name length, name, u8 rank, rank x i64 size, u32 CRC-32 of the data,
//         f32 data[product of sizes] }
// and nothing after the last tensor.
//
// Writing is atomic: the bytes go to a temporary file in the same folder, which is
// flushed to disk (fsync) and then renamed over the old file, and the folder is synced;
// a crash at any moment leaves either the old checkpoint or the new one, never a mix.
// Loading checks everything before changing anything, and throws naming the file and
// what is wrong: magic, version, a missing or extra tensor, a shape, a checksum, or the
// byte offset where the file ends too soon. Only a regular file is read, and only when
// its size fits what the model can need (a FIFO, a device, a 100 GB file are refused).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"
#include "nn/optimizer.h"

namespace aevb::nn {

inline constexpr uint32_t kCheckpointVersion = 2;

struct CheckpointContents {
  std::map<std::string, uint64_t> counters;
  std::vector<std::pair<std::string, Tensor>> tensors;  // in file order
  std::map<std::string, std::string> texts;              // empty in version 1
};

// The raw file layer.
void write_checkpoint_file(const std::string& path, const std::map<std::string, uint64_t>& counters,
                           const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                           const std::map<std::string, std::string>& texts = {});
// `limit`: the most bytes accepted (the file's size is checked before it is read).
CheckpointContents read_checkpoint_file(const std::string& path, uint64_t limit = uint64_t{1} << 36);

struct TrainingProgress {
  uint64_t epoch = 0;  // epochs completed
  uint64_t step = 0;   // optimizer steps taken
};

// Parameters are saved as "model.<name>", optimizer state under its own names
// ("optimizer.adam.first_moment.<name>"), the generator as counters, and the run's
// configuration (flag -> value) as texts, for resume to compare.
void save_checkpoint(const std::string& path, Module& model, Optimizer& optimizer, const Rng& rng,
                     TrainingProgress progress, const std::map<std::string, std::string>& configuration = {});
// Restores all of it, or throws and changes nothing.
TrainingProgress load_checkpoint(const std::string& path, Module& model, Optimizer& optimizer, Rng& rng);
// The same in two halves, so that a program can check the configuration in between:
// read (bounded by what this model and optimizer can need), then restore.
CheckpointContents read_checkpoint_for(const std::string& path, Module& model, Optimizer& optimizer);
TrainingProgress load_checkpoint(CheckpointContents contents, const std::string& path, Module& model,
                                 Optimizer& optimizer, Rng& rng);

// Parameters only ("model.<name>"), with extra counters (a model's configuration, say).
void save_model(const std::string& path, Module& model, const std::map<std::string, uint64_t>& counters = {});
// Loads the "model." tensors (other entries, such as optimizer state, are ignored) and
// returns the file's counters; every parameter must be there with its shape, and no
// "model." tensor may be left over. Throws and changes nothing otherwise.
std::map<std::string, uint64_t> load_model(const std::string& path, Module& model);

}  // namespace aevb::nn
