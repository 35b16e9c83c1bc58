// The machine's measured FMA peak: independent multiply-add chains at each
// instruction-set width, so a kernel's GFLOP/s can be read as a share of what the
// core can do at all.
#pragma once

namespace aevb::bench {

// GFLOP/s of `threads` threads each running independent FMA chains with batches of
// `width_bits` (128, 256 or 512); 0 if the CPU lacks that width.
double fma_peak_gflops(int width_bits, int threads);

}  // namespace aevb::bench
