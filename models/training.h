// Training runs for the example programs: the epoch loop, metrics, checkpoints,
// resume and pictures, so that the programs in examples/ only parse flags
// (training.cpp has the loop; the files it names hold the rest).
//
// Every run writes into `out`:
//   metrics.jsonl     one JSON object per epoch, then one with "final": true
//   checkpoint.aevb   after every epoch, atomically (model, optimizer, generator, epoch)
//   pictures          reconstructions.png, samples.png, latent.png, manifold.png (Z = 2),
//                     conditional.png or digit_D.png (CVAE), denoising.png (denoising AE)
// A run resumed from a checkpoint reaches the same numbers, bit for bit, as one never
// stopped: batches come from (seed, epoch), the sampling generator is in the checkpoint,
// and evaluation draws from its own per-epoch generator.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "datasets/batcher.h"
#include "datasets/image_set.h"
#include "models/autoencoder.h"
#include "models/training_metrics.h"
#include "models/vae.h"
#include "nn/checkpoint.h"
#include "nn/optimizer.h"

namespace aevb::models {

// What a run tells its observer after each training step.
struct StepReport {
  int epoch = 0;
  int64_t batch_index = 0, batches_per_epoch = 0, step = 0;  // step counts from the run's start
  double loss = 0;          // this minibatch's, per image (-ELBO, or the reconstruction loss)
  double running_loss = 0;  // the epoch's mean so far
  double reconstruction = 0, kl = 0;        // this minibatch's terms
  const LayerStatistics* layers = nullptr;  // this step's update, measured, or null
};

// Watches a run from outside while it trains (the studio), on the training thread:
// the model may be read there and only there (never written). Pausing is the observer's to do, by not
// returning from step_done.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void started(nn::Module& model, const nn::TrainingProgress& done) = 0;
  // After each step's update. Returns whether the next step's update is to be measured.
  virtual bool step_done(const StepReport& report, nn::Module& model) = 0;
  // After each epoch's checkpoint, with the epoch's metrics.jsonl line.
  virtual void epoch_done(int epoch, const std::string& metrics_line, nn::Module& model) = 0;
  // Asked before each step: true ends the run (StopRequested) with the checkpoint as
  // the last finished epoch left it.
  virtual bool stop_requested() = 0;
};

// Thrown out of a training run that its observer stopped.
class StopRequested : public std::exception {
 public:
  explicit StopRequested(uint64_t checkpoint_epoch) : checkpoint_epoch_(checkpoint_epoch) {}
  uint64_t checkpoint_epoch() const { return checkpoint_epoch_; }  // 0: none was written
  const char* what() const noexcept override { return "training stopped on request"; }

 private:
  uint64_t checkpoint_epoch_;
};

struct TrainingOptions {
  int epochs = 10;
  int64_t batch = 128;
  nn::OptimizerKind optimizer = nn::OptimizerKind::adam;
  float learning_rate = 1e-3f;
  float weight_decay = 0.0f;       // L2, the prior on parameters (Section 5 of the paper)
  float beta = 1.0f;               // weight of the KL term
  int warmup_epochs = 0;           // the KL weight rises linearly from 0 over these epochs
  float free_bits = 0.0f;          // nats per latent dimension
  datasets::Binarization binarization = datasets::Binarization::none;
  int64_t eval_k = 0;              // importance samples for the final -log p(x); 0 skips
  uint64_t seed = 1;
  // The batch's shards (data_parallel.h): the run depends on it, not on how many
  // processes compute them. 1 is the plain step.
  int64_t shards = 1;
  std::string out = "out";
  std::string resume;              // a checkpoint to continue from
  int digit = -1;                  // CVAE: draw only this class (digit_D.png)
  std::string judge;               // CVAE: a classifier file for the conditional accuracy
  bool quiet = false;              // no per-epoch lines (tests)
  TrainingObserver* observer = nullptr;  // told of every step and epoch (the studio)
};

struct TrainingResult {
  double test_neg_elbo = 0;        // of the last epoch
  double test_neg_log_likelihood = 0;  // when eval_k > 0
  int epochs_run = 0;
};

// A VAE (or, with config.conditions > 0, a CVAE trained on one-hot labels).
TrainingResult train_vae(const TrainingOptions& options, const VaeConfig& config, const datasets::TrainTest& data);

// A VAE that train_vae wrote (its checkpoint.aevb), rebuilt from the configuration the
// checkpoint records: the model with its trained parameters, and how its test images
// were prepared (so that another program measures the same images). The data it trained
// on must be `data` (its identity is compared). Throws InputError naming `flag` (the
// program's flag for the file) when the file is not such a checkpoint.
struct TrainedVae {
  std::unique_ptr<Vae> vae;
  datasets::Binarization binarization = datasets::Binarization::none;
  uint64_t seed = 1;
};
// `conditional_too`: a CVAE's checkpoint is read too (else refused).
TrainedVae load_trained_vae(const std::string& path, const datasets::TrainTest& data, const std::string& flag,
                            bool conditional_too = false);

// An autoencoder that train_ae wrote, rebuilt the same way (refusals as above).
std::unique_ptr<Autoencoder> load_trained_autoencoder(const std::string& path, const datasets::TrainTest& data,
                                                      const std::string& flag);

enum class Denoising { none, gaussian, mask };
Denoising parse_denoising(const std::string& name);
// An autoencoder; with denoising, trained to restore inputs corrupted at `noise`
// (the Gaussian noise's standard deviation, or the masked fraction).
TrainingResult train_autoencoder(const TrainingOptions& options, const AutoencoderConfig& config, Denoising denoising,
                                 float noise, const datasets::TrainTest& data);

}  // namespace aevb::models
