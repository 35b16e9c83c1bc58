// Batching: a seeded shuffle that differs per epoch and is reproducible, batches
// converted from bytes to floats on the fly into reused buffers (no allocation per
// batch), optional one-hot labels, and binarization.
// Legend: B batch, D pixels per image, C classes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/tensor.h"
#include "datasets/image_set.h"

namespace aevb::datasets {

enum class Binarization {
  none,     // pixels scaled to [0, 1]
  threshold,  // static: 1 where the scaled pixel exceeds `threshold`
  sample,   // static: one fixed-seed Bernoulli draw per pixel, the same every epoch
  dynamic,  // a fresh Bernoulli draw per pixel each epoch (the IWAE paper's protocol)
};
Binarization parse_binarization(const std::string& name);  // none, static, threshold, dynamic
const char* to_string(Binarization binarization);           // the flag's name: "static" for sample

struct BatchOptions {
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;  // drop the final partial batch
  bool one_hot = false;    // fill Batch::one_hot from the labels
  Binarization binarization = Binarization::none;
  float threshold = 0.5f;
  uint64_t seed = 0;
};

struct Batch {
  int64_t size = 0;
  Tensor images;                 // [B, D], values in [0, 1]
  Tensor one_hot;                // [B, C] when asked for
  std::vector<int> labels;       // [B] when the set is labelled
  std::vector<int64_t> indices;  // [B] which images of the set
};

class Batcher {
 public:
  Batcher(const ImageSet& set, BatchOptions options);

  void start_epoch(int64_t epoch);  // the order of this epoch: a permutation from (seed, epoch)
  // The next batch of the epoch, or nullptr after the last. The batch's memory is reused.
  const Batch* next();
  int64_t batches_per_epoch() const;
  const std::vector<int64_t>& order() const { return order_; }

 private:
  void fill(Batch& batch, int64_t first);

  const ImageSet& set_;
  BatchOptions options_;
  std::vector<int64_t> order_;
  int64_t epoch_ = 0;
  int64_t position_ = 0;
  Batch full_, tail_;
};

// `count` images spread evenly over a set, image i * N / count for i < count, with their
// labels: every class of a set stored class by class (mnist-subset), in a small sample.
ImageSet spread_subset(const ImageSet& set, int64_t count);

// The pixel of image `index` at `pixel` turned to [0, 1] under a binarization; the
// Bernoulli draws are counter-based: a pure function of (seed, epoch, index, pixel).
float binarize_pixel(uint8_t value, Binarization binarization, float threshold, uint64_t seed, int64_t epoch,
                     int64_t index, int64_t pixel, int64_t pixels_per_image);

// Noise for the denoising autoencoder, applied in place to images in [0, 1].
void add_gaussian_noise(Tensor& images, float stddev, Rng& rng);  // then clamped to [0, 1]
void apply_masking_noise(Tensor& images, float fraction, Rng& rng);  // each pixel zeroed with this probability

}  // namespace aevb::datasets
