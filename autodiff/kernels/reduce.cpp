#include "autodiff/kernels/reduce.h"

#include <cassert>
#include <cmath>
#include <limits>

#include "autodiff/kernels/isa_kernels.h"
#include "autodiff/kernels/parallel.h"
#include "autodiff/kernels/reduce_order.h"

namespace aevb::kernels {

namespace {

// The reference order of reduce_order.h over term(i), i in [offset, offset + n).
template <class Term>
float pairwise_reference(int64_t n, const Term& term, int64_t offset = 0) {
  if (n > kSumBlock) {
    const int64_t half = pairwise_half(n);
    return pairwise_reference(half, term, offset) + pairwise_reference(n - half, term, offset + half);
  }
  float lanes[kSumLanes] = {};
  for (int64_t i = 0; i < n; ++i) lanes[i % kSumLanes] += term(offset + i);
  return add_lanes_in_order(lanes);
}

}  // namespace

float sum_reference(const float* x, int64_t n) {
  return pairwise_reference(n, [x](int64_t i) { return x[i]; });
}
float dot_reference(const float* a, const float* b, int64_t n) {
  return pairwise_reference(n, [a, b](int64_t i) { return a[i] * b[i]; });
}
float squared_norm_reference(const float* x, int64_t n) {
  return pairwise_reference(n, [x](int64_t i) { return x[i] * x[i]; });
}
float sum_exp_reference(const float* x, int64_t n, float shift) {
  return pairwise_reference(n, [x, shift](int64_t i) { return std::exp(x[i] - shift); });
}
float max_reference(const float* x, int64_t n) {
  float best = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) return x[i];
    if (x[i] > best) best = x[i];
  }
  return best;
}
void accumulate_scaled_exp_reference(float* dx, const float* x, float shift, float scale, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dx[i] += scale * std::exp(x[i] - shift);
}

float dot(const float* a, const float* b, int64_t n) { return active_kernels().dot(a, b, n); }
float squared_norm(const float* x, int64_t n) { return active_kernels().squared_norm(x, n); }

void sum_axis(float* y, const float* x, int64_t outer, int64_t count, int64_t inner) {
  assert(outer >= 0 && count >= 0 && inner >= 0);
  if (inner == 1) {  // summing contiguous rows
    const auto sum = active_kernels().sum;
    for_each_row(outer, count, [&](int64_t o) { y[o] = sum(x + o * count, count); });
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
  assert(outer >= 0 && count >= 0 && inner >= 0);
  if (inner == 1) {
    const auto max = active_kernels().max;
    for_each_row(outer, count, [&](int64_t o) { y[o] = max(x + o * count, count); });
    return;
  }
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
  if (inner == 1) {
    const auto sum_exp_row = active_kernels().sum_exp;
    for_each_row(outer, count, [&](int64_t o) {
      const float m = max[o];
      sum_exp[o] = std::isfinite(m) ? sum_exp_row(x + o * count, count, m) : 0.0f;
      y[o] = std::isfinite(m) ? m + std::log(sum_exp[o]) : m;
    });
    return;
  }
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
  if (inner == 1) {  // rows: one value spread along each (a loop of length 1 inside otherwise)
    for (int64_t o = 0; o < outer; ++o) {
      const float value = scale * dy[o];
      float* dx_row = dx + o * count;
      for (int64_t k = 0; k < count; ++k) dx_row[k] += value;
    }
    return;
  }
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
  if (inner == 1) {
    const auto accumulate = active_kernels().accumulate_scaled_exp;
    for_each_row(outer, count, [&](int64_t o) {
      const float m = max[o];
      if (m == -std::numeric_limits<float>::infinity()) return;
      accumulate(dx + o * count, x + o * count, m, dy[o] / sum_exp[o], count);
    });
    return;
  }
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
  assert(rows >= 0 && columns >= 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < columns; ++j) db[j] += dy[r * columns + j];
}

}  // namespace aevb::kernels
