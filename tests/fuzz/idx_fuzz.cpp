// libFuzzer target: the IDX reader (raw and gzip) on arbitrary bytes. A refusal
// (aevb::Error) is the expected outcome for a bad file; a crash, a sanitizer report,
// a hang or an allocation beyond -rss_limit_mb is a finding.
#include <cstdint>

#include "autodiff/error.h"
#include "datasets/idx.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = aevb::fuzz::write_input(data, size, ".idx");
  try {
    aevb::datasets::ImageSet images = aevb::datasets::read_idx_images(path);
    (void)images;
  } catch (const aevb::Error&) {
  }
  try {
    (void)aevb::datasets::read_idx_labels(path);
  } catch (const aevb::Error&) {
  }
  return 0;
}
