// Where data sets come from, by name:
//   mnist-subset   10,000 MNIST digits shipped with aevb (datasets/mnist-subset/README.md):
//                  7,996 training and 2,004 test digits, the first 80% of each class training
//   fashion-mnist  Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist):
//                  60,000 training and 10,000 test images
//   idx:DIR        any folder in the MNIST layout: train-images-idx3-ubyte[.gz],
//                  train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]
//   frey:FILE      the Frey Face file (frey_rawface.mat): 1,965 faces of 28x20, unlabelled;
//                  the first 90% (1,768) train, the last 197 test
#pragma once

#include <string>
#include <vector>

#include "datasets/image_set.h"

namespace aevb::datasets {

TrainTest load_dataset(const std::string& spec);

struct SourceInfo {
  std::string name;         // as given to load_dataset
  std::string location;     // the folder or file it reads
  bool available = false;
  std::string how_to_get;   // when not available
};
std::vector<SourceInfo> list_sources();

// Where the shipped mnist-subset lives: $AEVB_DATA_DIR/mnist-subset if set, else the
// source tree's datasets/, else the installed share/aevb/.
std::string mnist_subset_folder();
inline constexpr const char* kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

}  // namespace aevb::datasets
