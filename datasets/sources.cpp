#include "datasets/sources.h"

#include <cstdlib>
#include <filesystem>

#include "autodiff/error.h"
#include "autodiff/files.h"
#include "datasets/idx.h"
#include "datasets/mat5.h"

namespace aevb::datasets {
namespace {
namespace fs = std::filesystem;

constexpr int kFreyTrainPercent = 90;

// The file `stem` or `stem.gz` in `folder`.
std::string idx_file(const std::string& folder, const std::string& stem) {
  for (const std::string& name : {stem + ".gz", stem})
    if (fs::exists(fs::path(folder) / name)) return (fs::path(folder) / name).string();
  fail("'", folder, "': neither ", stem, " nor ", stem, ".gz is there");
}

TrainTest load_idx_folder(const std::string& folder, const std::string& name) {
  check(fs::is_directory(folder), "data set '", name, "': folder '", folder, "' does not exist");
  TrainTest split{
      read_idx_pair(idx_file(folder, "train-images-idx3-ubyte"), idx_file(folder, "train-labels-idx1-ubyte")),
      read_idx_pair(idx_file(folder, "t10k-images-idx3-ubyte"), idx_file(folder, "t10k-labels-idx1-ubyte"))};
  check(split.train.rows == split.test.rows && split.train.columns == split.test.columns, "data set '", name,
        "': training images are ", split.train.rows, "x", split.train.columns, " but test images are ", split.test.rows,
        "x", split.test.columns);
  int classes = std::max(split.train.classes, split.test.classes);
  split.train.classes = split.test.classes = classes;
  split.train.name = name + " (train)";
  split.test.name = name + " (test)";
  return split;
}

TrainTest load_frey(const std::string& path) {
  check(fs::exists(path), "data set 'frey:", path, "': file '", path, "' does not exist");
  files::require_regular_file(path);
  ImageSet all = read_frey_faces(path);
  const int64_t train_count = all.count * kFreyTrainPercent / 100;
  const int64_t pixels = all.pixels_per_image();
  TrainTest split;
  split.train = all;
  split.train.name = "frey (train)";
  split.train.count = train_count;
  split.train.pixels.resize(static_cast<size_t>(train_count * pixels));
  split.test = all;
  split.test.name = "frey (test)";
  split.test.count = all.count - train_count;
  split.test.pixels.assign(all.pixels.begin() + train_count * pixels, all.pixels.end());
  return split;
}

}  // namespace

std::string mnist_subset_folder() {
  if (const char* override_dir = std::getenv("AEVB_DATA_DIR"))
    return (fs::path(override_dir) / "mnist-subset").string();
  for (const char* candidate : {AEVB_SOURCE_DATA_DIR, AEVB_INSTALLED_DATA_DIR})
    if (fs::exists(fs::path(candidate) / "mnist-subset")) return (fs::path(candidate) / "mnist-subset").string();
  return (fs::path(AEVB_SOURCE_DATA_DIR) / "mnist-subset").string();
}

namespace {
TrainTest load_by_name(const std::string& spec) {
  if (spec == "mnist-subset") return load_idx_folder(mnist_subset_folder(), spec);
  if (spec == "fashion-mnist") {
    check(fs::is_directory(kFashionMnistFolder), "data set 'fashion-mnist': '", kFashionMnistFolder,
          "' does not exist; install it with: apt-get install dataset-fashion-mnist");
    TrainTest split = load_idx_folder(kFashionMnistFolder, spec);
    // The labels' names, from the data set's own README (Xiao, Rasul & Vollgraf 2017).
    const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                            "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    split.train.class_names = split.test.class_names = names;
    return split;
  }
  if (spec.rfind("idx:", 0) == 0) return load_idx_folder(spec.substr(4), spec);
  if (spec.rfind("frey:", 0) == 0) return load_frey(spec.substr(5));
  fail("unknown data set '", spec, "': expected mnist-subset, fashion-mnist, idx:DIR or frey:FILE");
}
}  // namespace

TrainTest load_dataset(const std::string& spec) {
  TrainTest split = load_by_name(spec);
  // Every program needs images to train on and to test with; refused here, by name,
  // rather than as a batch size of 0 or a -nan in a statistic later.
  for (const ImageSet* set : {&split.train, &split.test}) {
    check(set->count > 0, "data set '", spec, "': its ", set == &split.train ? "training" : "test",
          " set holds no image");
    check(set->rows > 0 && set->columns > 0, "data set '", spec, "': images of ", set->rows, "x", set->columns,
          " pixels hold no pixel");
  }
  return split;
}

std::vector<SourceInfo> list_sources() {
  return {
      {"mnist-subset", mnist_subset_folder(),
       fs::exists(fs::path(mnist_subset_folder()) / "train-images-idx3-ubyte.gz"),
       "shipped with aevb; set AEVB_DATA_DIR if it moved"},
      {"fashion-mnist", kFashionMnistFolder, fs::is_directory(kFashionMnistFolder),
       "apt-get install dataset-fashion-mnist"},
      {"idx:DIR", "any folder in the MNIST file layout", false, "give idx:/path/to/folder"},
      {"frey:FILE", "frey_rawface.mat (MATLAB 5, uncompressed)", false, "give frey:/path/to/frey_rawface.mat"},
  };
}

}  // namespace aevb::datasets
