#include "autodiff/kernels/vector_math.h"

#include <cassert>
#include <algorithm>
#include <cmath>

#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/parallel.h"

namespace aevb::kernels {

namespace {

// Runs the active instruction set's kernel, in chunks across threads for large arrays.
void run(UnaryKernel IsaKernels::*kernel, float* y, const float* x, int64_t count) {
  assert(count >= 0 && (count == 0 || (y != nullptr && x != nullptr)));
  const UnaryKernel f = active_kernels().*kernel;
  for_each_chunk(count, [&](int64_t begin, int64_t length) { f(y + begin, x + begin, length); });
}

}  // namespace

void vector_exp(float* y, const float* x, int64_t count) { run(&IsaKernels::exp, y, x, count); }
void vector_log(float* y, const float* x, int64_t count) { run(&IsaKernels::log, y, x, count); }
void vector_log1p(float* y, const float* x, int64_t count) { run(&IsaKernels::log1p, y, x, count); }

void exp_reference(float* y, const float* x, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = std::exp(x[i]);
}
void log_reference(float* y, const float* x, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = std::log(x[i]);
}
void log1p_reference(float* y, const float* x, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = std::log1p(x[i]);
}

}  // namespace aevb::kernels
