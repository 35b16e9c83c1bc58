// Elementwise and row-wise work split across threads (internal to the kernels' .cpp
// files), one threshold for both.
#pragma once

#include <algorithm>
#include <cstdint>

#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/vector_math.h"

namespace aevb::kernels {

// body(begin, length) over [0, count): in one call below kElementwiseThreadingThreshold
// (or with one thread, or inside a parallel region), else in chunks of 16K elements
// shared out statically. Chunks start at multiples of every batch width, so each
// element is computed by the same code as in one call: results do not depend on the
// threads.
template <class Body>
void for_each_chunk(int64_t count, const Body& body) {
  flush_denormals_on_this_thread();
  if (count < kElementwiseThreadingThreshold || thread_count() == 1 || inside_parallel_region()) {
    body(int64_t{0}, count);
    return;
  }
  constexpr int64_t kChunk = int64_t{1} << 14;
  const int64_t chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    flush_denormals_on_this_thread();
    const int64_t begin = chunk * kChunk;
    body(begin, std::min(kChunk, count - begin));
  }
}

// per_row(r) for r in [0, rows): rows are independent, so they are shared out over
// threads, whole, when rows * row_length reaches the same threshold; no result changes.
template <class PerRow>
void for_each_row(int64_t rows, int64_t row_length, const PerRow& per_row) {
  flush_denormals_on_this_thread();
  if (rows * row_length < kElementwiseThreadingThreshold || rows == 1 || thread_count() == 1 ||
      inside_parallel_region()) {
    for (int64_t r = 0; r < rows; ++r) per_row(r);
    return;
  }
#pragma omp parallel
  {
    flush_denormals_on_this_thread();
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) per_row(r);
  }
}

}  // namespace aevb::kernels
