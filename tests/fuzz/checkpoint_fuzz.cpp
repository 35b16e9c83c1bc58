// libFuzzer target: the checkpoint loader on arbitrary bytes, into a small model and
// its Adam state (see idx_fuzz.cpp).
#include <cstdint>

#include "autodiff/error.h"
#include "nn/nn.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = aevb::fuzz::write_input(data, size, ".aevb");
  aevb::Rng rng(1);
  aevb::nn::Linear model(4, 3, rng);
  aevb::nn::Adam adam(model.named_parameters(), {});
  try {
    (void)aevb::nn::load_checkpoint(path, model, adam, rng);
  } catch (const aevb::Error&) {
  }
  try {
    (void)aevb::nn::load_model(path, model);
  } catch (const aevb::Error&) {
  }
  return 0;
}
