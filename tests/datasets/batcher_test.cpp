// Tests for datasets/batcher.cpp: shuffles, batches, one-hot rows, binarization and noise.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "autodiff/error.h"
#include "datasets/batcher.h"

using namespace aevb;
using namespace aevb::datasets;

namespace {
ImageSet ramp_set(int64_t count, int64_t pixels = 6) {
  ImageSet set;
  set.name = "ramp";
  set.count = count;
  set.rows = 1;
  set.columns = pixels;
  for (int64_t i = 0; i < count * pixels; ++i) set.pixels.push_back(static_cast<uint8_t>((i * 37) % 256));
  for (int64_t i = 0; i < count; ++i) set.labels.push_back(static_cast<uint8_t>(i % 3));
  set.classes = 3;
  return set;
}
}  // namespace

TEST_CASE("shuffles are permutations, reproducible, and differ per epoch") {
  ImageSet set = ramp_set(1000);
  Batcher a(set, {.batch_size = 64, .seed = 5}), b(set, {.batch_size = 64, .seed = 5});
  a.start_epoch(3);
  b.start_epoch(3);
  CHECK(a.order() == b.order());
  std::vector<int64_t> sorted = a.order();
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
  std::vector<int64_t> epoch3 = a.order();
  a.start_epoch(4);
  CHECK(a.order() != epoch3);
  Batcher other_seed(set, {.batch_size = 64, .seed = 6});
  other_seed.start_epoch(3);
  CHECK(other_seed.order() != epoch3);
}

TEST_CASE("an epoch visits every image once, with a partial last batch unless dropped") {
  ImageSet set = ramp_set(10);
  Batcher batcher(set, {.batch_size = 4, .one_hot = true, .seed = 1});
  CHECK(batcher.batches_per_epoch() == 3);
  std::set<int64_t> seen;
  std::vector<int64_t> sizes;
  while (const Batch* batch = batcher.next()) {
    sizes.push_back(batch->size);
    for (int64_t row = 0; row < batch->size; ++row) {
      int64_t index = batch->indices[static_cast<size_t>(row)];
      seen.insert(index);
      CHECK(batch->images[row * 6 + 2] == doctest::Approx(set.image(index)[2] / 255.0f));
      CHECK(batch->labels[static_cast<size_t>(row)] == set.labels[static_cast<size_t>(index)]);
      for (int c = 0; c < 3; ++c)
        CHECK(batch->one_hot[row * 3 + c] == (c == batch->labels[static_cast<size_t>(row)] ? 1.0f : 0.0f));
    }
  }
  CHECK(sizes == std::vector<int64_t>{4, 4, 2});
  CHECK(seen.size() == 10);
  Batcher dropping(set, {.batch_size = 4, .drop_last = true});
  int batches = 0;
  while (dropping.next()) ++batches;
  CHECK(batches == 2);
  CHECK(dropping.batches_per_epoch() == 2);
}

TEST_CASE("batches reuse their memory") {
  ImageSet set = ramp_set(20);
  Batcher batcher(set, {.batch_size = 8});
  const Batch* first = batcher.next();
  const float* memory = first->images.data();
  const Batch* second = batcher.next();
  CHECK(second->images.data() == memory);
}

TEST_CASE("binarization: threshold, static and dynamic draws have the stated statistics") {
  // One image whose pixels are all 64/255 = 0.251: a Bernoulli draw has that mean.
  ImageSet set;
  set.name = "flat";
  set.count = 50;
  set.rows = 20;
  set.columns = 20;
  set.pixels.assign(50 * 400, 64);
  const double p = 64.0 / 255.0, n = 50 * 400;
  auto mean_of = [&](Binarization binarization, int64_t epoch, std::vector<float>* values) {
    Batcher batcher(set, {.batch_size = 50, .shuffle = false, .binarization = binarization, .seed = 9});
    batcher.start_epoch(epoch);
    const Batch* batch = batcher.next();
    double sum = 0;
    for (float v : batch->images.values()) {
      CHECK((v == 0.0f || v == 1.0f));
      sum += v;
    }
    if (values) values->assign(batch->images.values().begin(), batch->images.values().end());
    return sum / n;
  };
  const double five_standard_errors = 5 * std::sqrt(p * (1 - p) / n);
  std::vector<float> static0, static1, dynamic0, dynamic1;
  CHECK(std::fabs(mean_of(Binarization::sample, 0, &static0) - p) < five_standard_errors);
  mean_of(Binarization::sample, 1, &static1);
  CHECK(static0 == static1);  // static: the same draw every epoch
  CHECK(std::fabs(mean_of(Binarization::dynamic, 0, &dynamic0) - p) < five_standard_errors);
  CHECK(std::fabs(mean_of(Binarization::dynamic, 1, &dynamic1) - p) < five_standard_errors);
  CHECK(dynamic0 != dynamic1);  // dynamic: a fresh draw each epoch
  CHECK(mean_of(Binarization::threshold, 0, nullptr) == 0.0);  // 0.251 is below 0.5
  // The batcher's draws are binarize_pixel's, pixel for pixel.
  CHECK(dynamic1[7] == binarize_pixel(64, Binarization::dynamic, 0.5f, 9, 1, 0, 7, 400));
  CHECK_THROWS_WITH_AS(parse_binarization("random"),
                       "unknown binarization 'random': expected none, static, threshold or dynamic", Error);
}

TEST_CASE("noise for the denoising autoencoder has the stated statistics") {
  Rng rng(3);
  Tensor images = Tensor::full({100, 100}, 0.5f);
  add_gaussian_noise(images, 0.1f, rng);
  double sum = 0, squares = 0;
  for (float v : images.values()) {
    sum += v - 0.5;
    squares += (v - 0.5) * (v - 0.5);
  }
  CHECK(std::fabs(sum / 10000) < 5 * 0.1 / 100);
  CHECK(std::sqrt(squares / 10000) == doctest::Approx(0.1).epsilon(0.05));
  Tensor ones = Tensor::ones({100, 100});
  apply_masking_noise(ones, 0.3f, rng);
  double zeros = 0;
  for (float v : ones.values()) zeros += v == 0.0f;
  CHECK(std::fabs(zeros / 10000 - 0.3) < 5 * std::sqrt(0.3 * 0.7 / 10000));
  Tensor edge = Tensor::full({1000}, 0.99f);
  add_gaussian_noise(edge, 0.5f, rng);
  for (float v : edge.values()) CHECK((v >= 0.0f && v <= 1.0f));  // clamped
}

TEST_CASE("bad batcher settings are refused") {
  ImageSet set = ramp_set(5);
  CHECK_THROWS_WITH_AS(Batcher(set, {.batch_size = 0}), "Batcher: batch size 0 must be positive", Error);
  set.labels.clear();
  CHECK_THROWS_WITH_AS(Batcher(set, {.one_hot = true}), "Batcher: one-hot labels asked for, but 'ramp' has no labels",
                       Error);
}
