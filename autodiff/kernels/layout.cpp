#include "autodiff/kernels/layout.h"

#include <cstring>

namespace aevb::kernels {

void transpose(float* y, const float* x, int64_t rows, int64_t columns) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < columns; ++j) y[j * rows + i] = x[i * columns + j];
}

void accumulate_transpose(float* dx, const float* dy, int64_t rows, int64_t columns) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < columns; ++j) dx[i * columns + j] += dy[j * rows + i];
}

void copy_rows(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t rows,
               int64_t row_length) {
  if (row_length == 0) return;
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(dst + r * dst_stride, src + r * src_stride, sizeof(float) * static_cast<size_t>(row_length));
}

void accumulate_rows(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t rows,
                     int64_t row_length) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < row_length; ++c) dst[r * dst_stride + c] += src[r * src_stride + c];
}

}  // namespace aevb::kernels
