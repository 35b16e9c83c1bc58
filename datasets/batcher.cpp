#include "datasets/batcher.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "autodiff/error.h"

namespace aevb::datasets {
namespace {
// The stream of the static Bernoulli draw; dynamic draws use the epoch (0, 1, ...).
constexpr uint64_t kStaticStream = ~uint64_t{0};
}  // namespace

Binarization parse_binarization(const std::string& name) {
  if (name == "none") return Binarization::none;
  if (name == "static") return Binarization::sample;
  if (name == "threshold") return Binarization::threshold;
  if (name == "dynamic") return Binarization::dynamic;
  fail("unknown binarization '", name, "': expected none, static, threshold or dynamic");
}

const char* to_string(Binarization binarization) {
  switch (binarization) {
    case Binarization::none: return "none";
    case Binarization::sample: return "static";
    case Binarization::threshold: return "threshold";
    case Binarization::dynamic: return "dynamic";
  }
  return "?";
}

float binarize_pixel(uint8_t value, Binarization binarization, float threshold, uint64_t seed, int64_t epoch,
                     int64_t index, int64_t pixel, int64_t pixels_per_image) {
  const float intensity = static_cast<float>(value) * (1.0f / 255.0f);
  switch (binarization) {
    case Binarization::none: return intensity;
    case Binarization::threshold: return intensity > threshold ? 1.0f : 0.0f;
    case Binarization::sample:
    case Binarization::dynamic: {
      uint64_t stream = binarization == Binarization::sample ? kStaticStream : static_cast<uint64_t>(epoch);
      uint64_t position = static_cast<uint64_t>(index * pixels_per_image + pixel);
      float u = uniform_from_bits(Rng(seed, stream).block(position / 4)[position % 4]);
      return u < intensity ? 1.0f : 0.0f;
    }
  }
  return intensity;
}

Batcher::Batcher(const ImageSet& set, BatchOptions options) : set_(set), options_(options) {
  check(options.batch_size > 0, "Batcher: batch size ", options.batch_size, " must be positive");
  check(!options.one_hot || set.labelled(), "Batcher: one-hot labels asked for, but '", set.name, "' has no labels");
  check(set.count > 0, "Batcher: '", set.name, "' is empty");
  const int64_t pixels = set.pixels_per_image();
  const int64_t full_size = std::min(options.batch_size, set.count), tail_size = set.count % options.batch_size;
  for (auto [batch, size] : {std::pair<Batch*, int64_t>{&full_, full_size}, {&tail_, tail_size}}) {
    batch->size = size;
    batch->images = Tensor({size, pixels});
    if (options.one_hot) batch->one_hot = Tensor({size, set.classes});
    batch->labels.resize(static_cast<size_t>(size));
    batch->indices.resize(static_cast<size_t>(size));
  }
  order_.resize(static_cast<size_t>(set.count));
  start_epoch(0);
}

void Batcher::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  position_ = 0;
  std::iota(order_.begin(), order_.end(), int64_t{0});
  if (!options_.shuffle) return;
  // Fisher-Yates from (seed, epoch): each epoch its own order, the same on every run.
  Rng rng(options_.seed, static_cast<uint64_t>(epoch) + 1);
  for (size_t i = order_.size() - 1; i > 0; --i) {
    // 64 random bits make the modulo bias negligible (below 2^-40 for any data set size).
    uint64_t bits = (uint64_t{rng.next_u32()} << 32) | rng.next_u32();
    std::swap(order_[i], order_[bits % (i + 1)]);
  }
}

int64_t Batcher::batches_per_epoch() const {
  int64_t full = set_.count / options_.batch_size;
  return full + (!options_.drop_last && set_.count % options_.batch_size != 0 ? 1 : 0);
}

const Batch* Batcher::next() {
  const int64_t left = set_.count - position_;
  if (left <= 0 || (options_.drop_last && left < options_.batch_size)) return nullptr;
  Batch& batch = left >= options_.batch_size ? full_ : tail_;
  fill(batch, position_);
  position_ += batch.size;
  return &batch;
}

void Batcher::fill(Batch& batch, int64_t first) {
  const int64_t pixels = set_.pixels_per_image();
  if (options_.one_hot) batch.one_hot.fill(0.0f);
  for (int64_t row = 0; row < batch.size; ++row) {
    const int64_t index = order_[static_cast<size_t>(first + row)];
    batch.indices[static_cast<size_t>(row)] = index;
    const uint8_t* source = set_.image(index);
    float* destination = batch.images.data() + row * pixels;
    if (options_.binarization == Binarization::none) {
      for (int64_t p = 0; p < pixels; ++p) destination[p] = static_cast<float>(source[p]) * (1.0f / 255.0f);
    } else if (options_.binarization == Binarization::threshold) {
      for (int64_t p = 0; p < pixels; ++p)
        destination[p] = static_cast<float>(source[p]) * (1.0f / 255.0f) > options_.threshold ? 1.0f : 0.0f;
    } else {
      // The same draws as binarize_pixel, one Philox block (4 words) per 4 pixels.
      uint64_t stream = options_.binarization == Binarization::sample ? kStaticStream : static_cast<uint64_t>(epoch_);
      Rng draws(options_.seed, stream);
      std::array<uint32_t, 4> words{};
      for (int64_t p = 0; p < pixels; ++p) {
        uint64_t position = static_cast<uint64_t>(index * pixels + p);
        if (p == 0 || position % 4 == 0) words = draws.block(position / 4);
        destination[p] =
            uniform_from_bits(words[position % 4]) < static_cast<float>(source[p]) * (1.0f / 255.0f) ? 1.0f : 0.0f;
      }
    }
    if (set_.labelled()) {
      int label = set_.labels[static_cast<size_t>(index)];
      batch.labels[static_cast<size_t>(row)] = label;
      if (options_.one_hot) batch.one_hot[row * set_.classes + label] = 1.0f;
    }
  }
}

void add_gaussian_noise(Tensor& images, float stddev, Rng& rng) {
  check(stddev >= 0.0f, "add_gaussian_noise: stddev ", stddev, " is negative");
  for (float& v : images.values()) v = std::clamp(v + rng.normal(0.0f, stddev), 0.0f, 1.0f);
}

void apply_masking_noise(Tensor& images, float fraction, Rng& rng) {
  check(fraction >= 0.0f && fraction <= 1.0f, "apply_masking_noise: fraction ", fraction, " is outside [0, 1]");
  for (float& v : images.values())
    if (rng.uniform() < fraction) v = 0.0f;
}

ImageSet spread_subset(const ImageSet& set, int64_t count) {
  check(count >= 1 && count <= set.count, "spread_subset: ", count, " of the ", set.count, " images of '", set.name,
        "'");
  ImageSet out = set;
  out.count = count;
  out.pixels.clear();
  out.labels.clear();
  for (int64_t i = 0; i < count; ++i) {
    const int64_t index = i * set.count / count;
    out.pixels.insert(out.pixels.end(), set.image(index), set.image(index) + set.pixels_per_image());
    if (set.labelled()) out.labels.push_back(set.labels[static_cast<size_t>(index)]);
  }
  return out;
}

}  // namespace aevb::datasets
