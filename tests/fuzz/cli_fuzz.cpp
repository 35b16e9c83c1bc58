// libFuzzer target: train_vae's command line (see cli_flags.h). A crash, a sanitizer
// report or an exception other than a refusal is a finding. Run with -close_fd_mask=3:
// refusals print.
#include <cstdint>

#include "tests/fuzz/cli_flags.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aevb::fuzz::parse_train_vae_flags(data, size);
  return 0;
}
