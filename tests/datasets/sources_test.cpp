// Tests for datasets/sources.cpp: the shipped mnist-subset and its split, Fashion-MNIST
// from Debian's package, and the refusals.
#include <doctest/doctest.h>

#include <filesystem>

#include "autodiff/error.h"
#include "datasets/sources.h"

using namespace aevb;
using namespace aevb::datasets;

TEST_CASE("mnist-subset: 7,996 training and 2,004 test digits, 80% of each class training") {
  TrainTest split = load_dataset("mnist-subset");
  CHECK(split.train.count == 7996);
  CHECK(split.test.count == 2004);
  CHECK(split.train.rows == 28);
  CHECK(split.train.columns == 28);
  CHECK(split.train.classes == 10);
  const int expected_train[10] = {800, 901, 792, 825, 784, 690, 811, 856, 755, 782};
  int train_counts[10] = {}, test_counts[10] = {};
  for (uint8_t label : split.train.labels) ++train_counts[label];
  for (uint8_t label : split.test.labels) ++test_counts[label];
  for (int c = 0; c < 10; ++c) {
    CAPTURE(c);
    CHECK(train_counts[c] == expected_train[c]);
    CHECK(train_counts[c] == (train_counts[c] + test_counts[c]) * 80 / 100);
  }
}

TEST_CASE("fashion-mnist loads from Debian's package") {
  if (!std::filesystem::is_directory(kFashionMnistFolder)) {
    MESSAGE("skipped: dataset-fashion-mnist is not installed (tests/run.sh installs it)");
    return;
  }
  TrainTest split = load_dataset("fashion-mnist");
  CHECK(split.train.count == 60000);
  CHECK(split.test.count == 10000);
  CHECK(split.train.classes == 10);
}

TEST_CASE("unknown and missing data sets are refused naming what was asked") {
  CHECK_THROWS_WITH_AS(load_dataset("cifar"),
                       "unknown data set 'cifar': expected mnist-subset, fashion-mnist, idx:DIR or frey:FILE", Error);
  CHECK_THROWS_WITH_AS(load_dataset("idx:/no/such/folder"),
                       "data set 'idx:/no/such/folder': folder '/no/such/folder' does not exist", Error);
  CHECK_THROWS_WITH_AS(load_dataset("frey:/no/such.mat"),
                       "data set 'frey:/no/such.mat': file '/no/such.mat' does not exist", Error);
}
