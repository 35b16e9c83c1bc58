// libFuzzer target: the MATLAB 5 reader on arbitrary bytes (see idx_fuzz.cpp).
#include <cstdint>

#include "autodiff/error.h"
#include "datasets/mat5.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = aevb::fuzz::write_input(data, size, ".mat");
  try {
    (void)aevb::datasets::read_mat5_uint8(path);
  } catch (const aevb::Error&) {
  }
  return 0;
}
