// Replays every fuzz input kept in the tree through the normal build (and the
// sanitized one): the seed corpora of tests/fuzz/corpus/ and the inputs that once
// crashed, hung or ran out of memory, in tests/fuzz/regressions/. Each must load or be
// refused with aevb::Error; anything else fails.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "autodiff/error.h"
#include "datasets/idx.h"
#include "datasets/mat5.h"
#include "nn/nn.h"
#include "tests/fuzz/cli_flags.h"

namespace fs = std::filesystem;
using namespace aevb;

namespace {

// Calls `read` on every file under tests/fuzz/{corpus,regressions}/<target>/.
template <class Read>
int replay(const std::string& target, Read read) {
  int files = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path folder = fs::path(AEVB_FUZZ_DIR) / kind / target;
    if (!fs::exists(folder)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      CAPTURE(entry.path().string());
      try {
        read(entry.path().string());
      } catch (const Error&) {
        // a refusal is a fine outcome for a corrupt file
      }
      ++files;
    }
  }
  return files;
}

}  // namespace

TEST_CASE("fuzz inputs: the IDX reader loads or refuses every kept input") {
  CHECK(replay("idx", [](const std::string& path) {
          try {
            (void)datasets::read_idx_images(path);
          } catch (const Error&) {
          }
          (void)datasets::read_idx_labels(path);
        }) >= 3);
}

TEST_CASE("fuzz inputs: the MAT-5 reader loads or refuses every kept input") {
  CHECK(replay("mat5", [](const std::string& path) { (void)datasets::read_mat5_uint8(path); }) >= 1);
}

TEST_CASE("fuzz inputs: the checkpoint loader loads or refuses every kept input") {
  CHECK(replay("checkpoint", [](const std::string& path) {
          Rng rng(1);
          nn::Linear model(4, 3, rng);
          nn::Adam adam(model.named_parameters(), {});
          try {
            (void)nn::load_checkpoint(path, model, adam, rng);
          } catch (const Error&) {
          }
          (void)nn::load_model(path, model);
        }) >= 2);
}

TEST_CASE("fuzz inputs: train_vae's flag parsing accepts or refuses every kept command line") {
  CHECK(replay("cli", [](const std::string& path) {
          std::ifstream in(path, std::ios::binary);
          const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
          fuzz::parse_train_vae_flags(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        }) >= 2);
}
