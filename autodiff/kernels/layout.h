// Moving values between layouts: transposes and strided row copies (concat, slice).
#pragma once

#include <cstdint>

namespace aevb::kernels {

// y[j,i] = x[i,j] for x [rows, columns]
void transpose(float* y, const float* x, int64_t rows, int64_t columns);
// dx[i,j] += dy[j,i] for dy [columns, rows]
void accumulate_transpose(float* dx, const float* dy, int64_t rows, int64_t columns);
// dst[r*dst_stride + c] = src[r*src_stride + c] for c < row_length
void copy_rows(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t rows,
               int64_t row_length);
// dst[r*dst_stride + c] += src[r*src_stride + c] for c < row_length
void accumulate_rows(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t rows,
                     int64_t row_length);

}  // namespace aevb::kernels
