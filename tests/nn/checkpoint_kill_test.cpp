// A process killed (SIGKILL) at a random moment while it writes checkpoints leaves the
// last complete one loadable: a child writes checkpoints in a loop, the parent kills it
// many times at random moments and loads what is on disk each time.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "autodiff/autodiff.h"
#include "nn/nn.h"
#include "tests/temp_files.h"

using namespace aevb;

namespace {

// Every value of the model set to `generation`, so a loaded file is consistent exactly
// when all its values equal the generation recorded in its counters.
void fill_with(nn::Linear& model, float generation) {
  for (const nn::NamedParameter& named : model.named_parameters()) named.parameter->value().fill(generation);
}

}  // namespace

TEST_CASE("checkpoints: SIGKILL at a random moment while writing leaves the previous one loadable") {
  aevb::testing::TempFolder folder("aevb_kill_");
  const std::string path = folder.file("model.aevb");
  Rng rng(1);
  // Big enough that a write takes a while: about 4 MB.
  nn::Linear model(1000, 1000, rng);
  fill_with(model, 0.0f);
  nn::save_model(path, model, {{"generation", 0}});

  // Kill moments spread over three writes' time, whatever this build's speed (a
  // sanitized one writes several times slower).
  const auto write_start = std::chrono::steady_clock::now();
  nn::save_model(path, model, {{"generation", 0}});
  const double write_microseconds =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - write_start).count();
  Rng timing(7);
  uint64_t last_generation = 0;
  const int kills = 25;
  for (int kill = 0; kill < kills; ++kill) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // the writer: never returns into doctest
      for (uint64_t generation = last_generation + 1;; ++generation) {
        fill_with(model, static_cast<float>(generation));
        nn::save_model(path, model, {{"generation", generation}});
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(
        static_cast<int64_t>(timing.uniform(0.0f, 3.0f) * static_cast<float>(write_microseconds))));
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));

    nn::Linear loaded(1000, 1000, rng);
    std::map<std::string, uint64_t> counters;
    REQUIRE_NOTHROW(counters = nn::load_model(path, loaded));
    const uint64_t generation = counters.at("generation");
    CHECK(generation >= last_generation);
    const Tensor& weight = loaded.weight().value();
    bool consistent = true;
    for (int64_t i = 0; i < weight.numel(); ++i) consistent = consistent && weight[i] == static_cast<float>(generation);
    CHECK(consistent);
    last_generation = generation;
  }
  // The writes did happen between kills (the test is not vacuous).
  CHECK(last_generation > 0);
}
