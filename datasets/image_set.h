// ImageSet: a data set of same-sized grey images in one contiguous uint8 array,
// with optional class labels. Legend: N images, H rows, W columns, D = H * W pixels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aevb::datasets {

struct ImageSet {
  std::string name;             // where it came from, for messages
  int64_t count = 0;            // N
  int64_t rows = 0;             // H
  int64_t columns = 0;          // W
  std::vector<uint8_t> pixels;  // [N, H, W], row-major, 0 = black .. 255 = white
  std::vector<uint8_t> labels;  // [N], or empty when the set has no labels
  int classes = 0;              // 1 + the largest label, 0 when unlabelled
  std::vector<std::string> class_names;  // by label, for pictures (Fashion-MNIST's); else the numbers

  // "7", or "Sneaker" for Fashion-MNIST.
  std::string class_name(int label) const {
    return label >= 0 && static_cast<size_t>(label) < class_names.size() ? class_names[static_cast<size_t>(label)]
                                                                          : std::to_string(label);
  }
  int64_t pixels_per_image() const { return rows * columns; }
  const uint8_t* image(int64_t index) const { return pixels.data() + index * pixels_per_image(); }
  bool labelled() const { return !labels.empty(); }
};

struct TrainTest {
  ImageSet train;
  ImageSet test;
};

}  // namespace aevb::datasets
