// Tests for nn/checkpoint.cpp: round trip, every refusal, atomic writes, exact resume.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "autodiff/autodiff.h"
#include "nn/nn.h"
#include "tests/temp_files.h"

using namespace aevb;
using namespace aevb::nn;
namespace fs = std::filesystem;

namespace {

using testing::TempFolder;
using testing::read_bytes;
using testing::write_bytes;

// A small model trained on noisy targets: the generator feeds every step, so resuming
// exactly needs the generator's state as well as the parameters and the moments.
struct Run {
  Rng rng;
  std::unique_ptr<Sequential> model;
  std::unique_ptr<Adam> optimizer;
  Tape tape;
  Run(uint64_t seed, std::vector<int64_t> sizes = {3, 5, 2}) : rng(seed) {
    model = make_mlp(sizes, Activation::tanh, rng);
    optimizer = std::make_unique<Adam>(model->named_parameters(), AdamOptions{.learning_rate = 0.01f});
  }
  void train(int steps) {
    for (int s = 0; s < steps; ++s) {
      Tensor x = Tensor::normal({4, 3}, rng), y = Tensor::normal({4, 2}, rng);
      tape.clear();
      Var loss = mse((*model)(tape.input(x)), tape.input(y));
      optimizer->zero_grad();
      tape.backward(loss);
      optimizer->step();
    }
  }
  std::vector<float> all_values() {
    std::vector<float> values;
    for (Parameter* p : model->parameters())
      values.insert(values.end(), p->value().values().begin(), p->value().values().end());
    return values;
  }
};

}  // namespace

TEST_CASE("save, load, continue gives the same numbers as never stopping, bit for bit") {
  TempFolder folder("aevb_checkpoint_test_");
  Run straight(1);
  straight.train(6);

  Run first_half(1);
  first_half.train(3);
  save_checkpoint(folder.file("run.aevb"), *first_half.model, *first_half.optimizer, first_half.rng, {2, 3});

  Run resumed(99);  // a different start: everything must come from the file
  TrainingProgress progress = load_checkpoint(folder.file("run.aevb"), *resumed.model, *resumed.optimizer, resumed.rng);
  CHECK(progress.epoch == 2);
  CHECK(progress.step == 3);
  CHECK(resumed.optimizer->step_count() == 3);
  resumed.train(3);
  CHECK(resumed.all_values() == straight.all_values());
  // No temporary file is left behind.
  CHECK(std::distance(fs::directory_iterator(folder.path), fs::directory_iterator()) == 1);
}

TEST_CASE("the raw format round-trips counters and tensors of every rank") {
  TempFolder folder("aevb_checkpoint_test_");
  Rng rng(4);
  Tensor scalar = Tensor::full({}, 3.5f), matrix = Tensor::normal({2, 3}, rng),
         four = Tensor::normal({1, 2, 1, 3}, rng);
  write_checkpoint_file(folder.file("raw"), {{"a", 1}, {"b", ~0ull}},
                        {{"scalar", &scalar}, {"matrix", &matrix}, {"four", &four}});
  CheckpointContents contents = read_checkpoint_file(folder.file("raw"));
  CHECK(contents.counters["b"] == ~0ull);
  REQUIRE(contents.tensors.size() == 3);
  CHECK(contents.tensors[0].second[0] == 3.5f);
  CHECK(contents.tensors[2].second.shape() == Shape{1, 2, 1, 3});
  for (int64_t i = 0; i < 6; ++i) CHECK(contents.tensors[1].second[i] == matrix[i]);
}

TEST_CASE("loading refuses each kind of bad file, naming the file and the problem") {
  TempFolder folder("aevb_checkpoint_test_");
  const std::string path = folder.file("model.aevb");
  Run run(1);
  save_checkpoint(path, *run.model, *run.optimizer, run.rng, {});
  const std::vector<char> good = read_bytes(path);
  auto load_into = [&](Run& target) { load_checkpoint(path, *target.model, *target.optimizer, target.rng); };
  auto expect_error = [&](std::vector<char> bytes, const std::string& message) {
    write_bytes(path, bytes);
    Run target(2);
    std::vector<float> before = target.all_values();
    CHECK_THROWS_WITH_AS(load_into(target), message.c_str(), Error);
    CHECK(target.all_values() == before);  // a failed load changes nothing
  };

  SUBCASE("wrong magic") {
    std::vector<char> bytes = good;
    bytes[0] = 'X';
    expect_error(bytes,
                 "checkpoint '" + path +
                     "': wrong magic number at byte offset 0: this is not an aevb checkpoint (expected \"AEVBCKPT\")");
  }
  SUBCASE("unknown version") {
    std::vector<char> bytes = good;
    bytes[8] = 7;
    expect_error(bytes, "checkpoint '" + path +
                            "': unknown format version 7 at byte offset 8 (this build reads versions 1 and 2)");
  }
  SUBCASE("truncated header") {
    expect_error(std::vector<char>(good.begin(), good.begin() + 10),
                 "checkpoint '" + path +
                     "': truncated at byte offset 10 while reading the format version (4 bytes from offset 8)");
  }
  SUBCASE("truncated data") {
    std::vector<char> bytes(good.begin(), good.end() - 5);
    std::string message = "checkpoint '" + path + "': truncated at byte offset " + std::to_string(bytes.size()) +
                          " while reading the data of tensor 'optimizer.adam.second_moment.output.bias'";
    write_bytes(path, bytes);
    Run target(2);
    try {
      load_into(target);
      FAIL("a truncated file loaded");
    } catch (const Error& error) {
      CHECK(std::string(error.what()).rfind(message, 0) == 0);
    }
  }
  SUBCASE("checksum mismatch in a tensor") {
    std::vector<char> bytes = good;
    bytes[bytes.size() - 1] ^= 0x40;
    std::string what =
        "checkpoint '" + path + "': checksum mismatch in tensor 'optimizer.adam.second_moment.output.bias'";
    write_bytes(path, bytes);
    Run target(2);
    try {
      load_into(target);
      FAIL("a corrupt file loaded");
    } catch (const Error& error) {
      CHECK(std::string(error.what()).rfind(what, 0) == 0);
    }
  }
  SUBCASE("checksum mismatch in the counters") {
    std::vector<char> bytes = good;
    bytes[30] ^= 0x01;  // inside the first counter's record
    write_bytes(path, bytes);
    Run target(2);
    CHECK_THROWS_AS(load_into(target), Error);
  }
  SUBCASE("trailing bytes") {
    std::vector<char> bytes = good;
    bytes.push_back(0);
    expect_error(bytes, "checkpoint '" + path + "': 1 unexpected bytes after the last tensor, from byte offset " +
                            std::to_string(good.size()));
  }
  SUBCASE("a shape mismatch") {
    write_bytes(path, good);
    Run other(2, {3, 2});
    CHECK_THROWS_WITH_AS(
        load_into(other),
        ("checkpoint '" + path + "': tensor 'model.output.weight' has shape [5,2] in the file but [3,2] in the model")
            .c_str(),
        Error);
  }
  SUBCASE("a missing tensor") {
    write_bytes(path, good);
    Run bigger(2, {3, 5, 5, 2});
    CHECK_THROWS_WITH_AS(load_into(bigger),
                         ("checkpoint '" + path + "': tensor 'model.hidden2.weight' is missing").c_str(), Error);
  }
  SUBCASE("a file that does not exist") {
    Run target(2);
    CHECK_THROWS_WITH_AS(
        load_checkpoint(folder.file("absent.aevb"), *target.model, *target.optimizer, target.rng),
        ("checkpoint '" + folder.file("absent.aevb") + "': cannot open: No such file or directory").c_str(), Error);
  }
}

TEST_CASE("an extra tensor in the file is refused by name") {
  TempFolder folder("aevb_checkpoint_test_");
  const std::string path = folder.file("extra.aevb");
  Run run(1);
  std::vector<std::pair<std::string, const Tensor*>> tensors;
  for (const NamedParameter& named : run.model->named_parameters())
    tensors.emplace_back("model." + named.name, &named.parameter->value());
  for (auto& [name, tensor] : run.optimizer->state()) tensors.emplace_back("optimizer." + name, tensor);
  Tensor stray = Tensor::ones({2});
  tensors.emplace_back("model.stray", &stray);
  write_checkpoint_file(
      path,
      {{"epoch", 0}, {"step", 0}, {"optimizer.steps", 0}, {"rng.seed", 1}, {"rng.stream", 0}, {"rng.position", 0}},
      tensors);
  Run target(2);
  CHECK_THROWS_WITH_AS(
      load_checkpoint(path, *target.model, *target.optimizer, target.rng),
      ("checkpoint '" + path + "': extra tensor 'model.stray' that the model and optimizer do not have").c_str(),
      Error);
}

TEST_CASE("a failed write names the file and leaves the previous checkpoint intact") {
  TempFolder folder("aevb_checkpoint_test_");
  const std::string path = folder.file("keep.aevb");
  Run run(1);
  save_checkpoint(path, *run.model, *run.optimizer, run.rng, {1, 1});
  const std::vector<char> before = read_bytes(path);

  // A file-size limit makes the write fail part-way, as a full disk would.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 100;
  setrlimit(RLIMIT_FSIZE, &small);
  std::string message;
  try {
    run.train(1);
    save_checkpoint(path, *run.model, *run.optimizer, run.rng, {2, 2});
  } catch (const Error& error) {
    message = error.what();
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, SIG_DFL);

  CHECK(message.find("checkpoint: '" + path + "': writing failed: File too large") == 0);
  CHECK(message.find("('" + path + "' is unchanged)") != std::string::npos);
  CHECK(read_bytes(path) == before);
  CHECK(std::distance(fs::directory_iterator(folder.path), fs::directory_iterator()) == 1);  // no temporary left
  Run target(3);
  CHECK(load_checkpoint(path, *target.model, *target.optimizer, target.rng).epoch == 1);
}

TEST_CASE("a checkpoint in a folder that does not exist is refused naming the file") {
  Run run(1);
  CHECK_THROWS_WITH_AS(save_checkpoint("/nonexistent-aevb-folder/x.aevb", *run.model, *run.optimizer, run.rng, {}),
                       ("checkpoint: '/nonexistent-aevb-folder/x.aevb.aevb-partial." + std::to_string(::getpid()) +
                        "': cannot create: No such file or directory (writing '/nonexistent-aevb-folder/x.aevb')")
                           .c_str(),
                       Error);
}
