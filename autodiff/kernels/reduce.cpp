#include "autodiff/kernels/reduce.h"

#include <cmath>
#include <limits>

namespace aevb::kernels {

namespace {

// Pairwise summation over halves down to blocks of 256, each summed in 8 interleaved
// lanes: the rounding error grows with log n instead of n, the lanes vectorize, and
// the order depends only on n, never on the instruction set or the threads.
float pairwise_sum(const float* x, int64_t n) {
  if (n > 256) {
    const int64_t half = n / 2 / 8 * 8;
    return pairwise_sum(x, half) + pairwise_sum(x + half, n - half);
  }
  float lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += x[i + j];
  for (int j = 0; i < n; ++i, ++j) lanes[j] += x[i];
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

}  // namespace

void sum_axis(float* y, const float* x, int64_t outer, int64_t count, int64_t inner) {
  if (inner == 1) {  // summing contiguous rows
    for (int64_t o = 0; o < outer; ++o) y[o] = pairwise_sum(x + o * count, count);
    return;
  }
  for (int64_t o = 0; o < outer; ++o) {
    float* y_row = y + o * inner;
    for (int64_t i = 0; i < inner; ++i) y_row[i] = 0.0f;
    for (int64_t k = 0; k < count; ++k) {
      const float* x_row = x + (o * count + k) * inner;
      for (int64_t i = 0; i < inner; ++i) y_row[i] += x_row[i];
    }
  }
}

void max_axis(float* y, const float* x, int64_t outer, int64_t count, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float best = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < count; ++k) {
        float v = x[(o * count + k) * inner + i];
        if (v > best || std::isnan(v)) best = v;
        if (std::isnan(best)) break;
      }
      y[o * inner + i] = best;
    }
}

void logsumexp_axis(float* y, float* max, float* sum_exp, const float* x, int64_t outer, int64_t count,
                    int64_t inner) {
  max_axis(max, x, outer, count, inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float m = max[o * inner + i];
      float sum = 0.0f;
      if (std::isfinite(m))
        for (int64_t k = 0; k < count; ++k) sum += std::exp(x[(o * count + k) * inner + i] - m);
      sum_exp[o * inner + i] = sum;
      // all -inf gives -inf; any +inf gives +inf; NaN stays NaN
      y[o * inner + i] = std::isfinite(m) ? m + std::log(sum) : m;
    }
}

void accumulate_along_axis(float* dx, const float* dy, float scale, int64_t outer, int64_t count, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k) {
      float* dx_row = dx + (o * count + k) * inner;
      const float* dy_row = dy + o * inner;
      for (int64_t i = 0; i < inner; ++i) dx_row[i] += scale * dy_row[i];
    }
}

void accumulate_max_axis(float* dx, const float* dy, const float* x, const float* y, int64_t outer, int64_t count,
                         int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float best = y[o * inner + i];
      for (int64_t k = 0; k < count; ++k) {
        float v = x[(o * count + k) * inner + i];
        if (v == best || (std::isnan(best) && std::isnan(v))) {
          dx[(o * count + k) * inner + i] += dy[o * inner + i];
          break;
        }
      }
    }
}

void accumulate_logsumexp_axis(float* dx, const float* dy, const float* x, const float* max, const float* sum_exp,
                               int64_t outer, int64_t count, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float m = max[o * inner + i];
      if (m == -std::numeric_limits<float>::infinity()) continue;
      float scale = dy[o * inner + i] / sum_exp[o * inner + i];  // 1/0 = inf where m is +inf or NaN: NaN below
      for (int64_t k = 0; k < count; ++k) {
        int64_t at = (o * count + k) * inner + i;
        dx[at] += scale * std::exp(x[at] - m);
      }
    }
}

void accumulate_column_sums(float* db, const float* dy, int64_t rows, int64_t columns) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < columns; ++j) db[j] += dy[r * columns + j];
}

}  // namespace aevb::kernels
