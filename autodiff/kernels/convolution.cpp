#include "autodiff/kernels/convolution.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "autodiff/kernels/parallel.h"
#include "autodiff/kernels/reduce.h"

namespace aevb::kernels {

namespace {
// floor(span / stride) + 1 outputs, or 0 when the window is larger than the padded input
// (span < 0, where C++'s division would round towards zero and count one)
int64_t outputs_along(int64_t span, int64_t stride) { return span < 0 ? 0 : span / stride + 1; }
}  // namespace

int64_t Conv2dGeometry::out_height() const {
  return outputs_along(in_height + 2 * padding_height - dilation_height * (kernel_height - 1) - 1, stride_height);
}
int64_t Conv2dGeometry::out_width() const {
  return outputs_along(in_width + 2 * padding_width - dilation_width * (kernel_width - 1) - 1, stride_width);
}

namespace {

// Columns of about a megabyte per chunk: they and the chunk's gemm operands stay in
// L2 and L3 instead of streaming a whole batch's patches through memory.
constexpr int64_t kColumnFloatsPerChunk = int64_t{1} << 18;

int64_t pixels_out(const Conv2dGeometry& g) { return g.out_height() * g.out_width(); }
int64_t column_rows(const Conv2dGeometry& g) { return g.in_channels * g.kernel_height * g.kernel_width; }

bool use_reference() { return active_isa() == Isa::scalar; }

// sum_i x[i], in reduce.h's pairwise order (the same bits on every instruction set)
float row_sum(const float* x, int64_t count) {
  float total = 0.0f;
  sum_axis(&total, x, 1, count, 1);
  return total;
}

// cols[(c, a, b), (image, i, j)] = x[first + image, c, i sh - ph + a dh, j sw - pw + b dw], 0 outside.
void im2col(float* cols, const float* x, const Conv2dGeometry& g, int64_t first, int64_t images) {
  const int64_t oh = g.out_height(), ow = g.out_width(), p = oh * ow, kk = g.kernel_height * g.kernel_width;
  const int64_t plane = g.in_height * g.in_width, columns = images * p;
  for_each_row(column_rows(g), columns, [&](int64_t row) {
    const int64_t c = row / kk, a = row % kk / g.kernel_width, b = row % g.kernel_width;
    float* out = cols + row * columns;
    for (int64_t image = 0; image < images; ++image) {
      const float* source = x + ((first + image) * g.in_channels + c) * plane;
      for (int64_t i = 0; i < oh; ++i) {
        const int64_t h = i * g.stride_height - g.padding_height + a * g.dilation_height;
        float* out_row = out + image * p + i * ow;
        if (h < 0 || h >= g.in_height) {
          std::fill(out_row, out_row + ow, 0.0f);
          continue;
        }
        const float* source_row = source + h * g.in_width;
        const int64_t offset = b * g.dilation_width - g.padding_width;
        if (g.stride_width == 1) {
          // j + offset in [0, W): a copy between two zero-filled ends
          const int64_t begin = std::clamp<int64_t>(-offset, 0, ow), end = std::clamp<int64_t>(g.in_width - offset, begin, ow);
          std::fill(out_row, out_row + begin, 0.0f);
          std::copy(source_row + begin + offset, source_row + end + offset, out_row + begin);
          std::fill(out_row + end, out_row + ow, 0.0f);
        } else {
          for (int64_t j = 0; j < ow; ++j) {
            const int64_t w = j * g.stride_width + offset;
            out_row[j] = w >= 0 && w < g.in_width ? source_row[w] : 0.0f;
          }
        }
      }
    }
  });
}

// dx[first + image, c, ...] += each column entry at the pixel it was read from
// (overwrites when !accumulate). One plane per task: each dx element is summed by one
// thread in the fixed order (a, b, i, j).
void col2im(float* dx, const float* dcols, const Conv2dGeometry& g, int64_t first, int64_t images, bool accumulate) {
  const int64_t oh = g.out_height(), ow = g.out_width(), p = oh * ow, kh = g.kernel_height, kw = g.kernel_width;
  const int64_t plane = g.in_height * g.in_width, columns = images * p;
  for_each_row(images * g.in_channels, kh * kw * p, [&](int64_t task) {
    const int64_t image = task / g.in_channels, c = task % g.in_channels;
    float* target = dx + ((first + image) * g.in_channels + c) * plane;
    if (!accumulate) std::fill(target, target + plane, 0.0f);
    for (int64_t a = 0; a < kh; ++a)
      for (int64_t b = 0; b < kw; ++b) {
        const float* in = dcols + ((c * kh + a) * kw + b) * columns + image * p;
        const int64_t offset = b * g.dilation_width - g.padding_width;
        for (int64_t i = 0; i < oh; ++i) {
          const int64_t h = i * g.stride_height - g.padding_height + a * g.dilation_height;
          if (h < 0 || h >= g.in_height) continue;
          float* target_row = target + h * g.in_width;
          const float* in_row = in + i * ow;
          for (int64_t j = 0; j < ow; ++j) {
            const int64_t w = j * g.stride_width + offset;
            if (w >= 0 && w < g.in_width) target_row[w] += in_row[j];
          }
        }
      }
  });
}

// y[first + image, o, :] (+)= y_t[o, image, :] + bias[o]
void unpermute_output(float* y, const float* y_t, const float* bias, const Conv2dGeometry& g, int64_t first,
                      int64_t images, bool accumulate) {
  const int64_t p = pixels_out(g), o_count = g.out_channels;
  for_each_row(images * o_count, p, [&](int64_t task) {
    const int64_t image = task / o_count, o = task % o_count;
    const float* in = y_t + (o * images + image) * p;
    float* out = y + ((first + image) * o_count + o) * p;
    const float shift = bias != nullptr ? bias[o] : 0.0f;
    if (accumulate)
      for (int64_t q = 0; q < p; ++q) out[q] += in[q] + shift;
    else
      for (int64_t q = 0; q < p; ++q) out[q] = in[q] + shift;
  });
}

// dy_t[o, image, :] = dy[first + image, o, :]
void permute_output(float* dy_t, const float* dy, const Conv2dGeometry& g, int64_t first, int64_t images) {
  const int64_t p = pixels_out(g), o_count = g.out_channels;
  for_each_row(images * o_count, p, [&](int64_t task) {
    const int64_t image = task / o_count, o = task % o_count;
    const float* in = dy + ((first + image) * o_count + o) * p;
    std::copy(in, in + p, dy_t + (o * images + image) * p);
  });
}

// The workspace of one chunk: its columns, then y' (or dy').
struct ChunkBuffers {
  float* cols;
  float* transposed_output;
};
ChunkBuffers chunk_buffers(float* workspace, const Conv2dGeometry& g) {
  return {workspace, workspace + column_rows(g) * conv2d_chunk_images(g) * pixels_out(g)};
}

// The two products of a chunk of `columns` columns, group by group, that the forward,
// the weight gradient and their combination share.
// y'_g = W_g cols_g: the chunk's outputs, [O, columns].
void multiply_columns(float* y_t, const float* weight, const float* cols, const Conv2dGeometry& g, int64_t columns) {
  const int64_t k = g.column_length(), group_out = g.out_channels / g.groups;
  for (int64_t group = 0; group < g.groups; ++group)
    gemm_store(y_t + group * group_out * columns, weight + group * group_out * k, cols + group * k * columns,
               group_out, columns, k);
}
// dW_g += dy'_g cols_g^T
void accumulate_weight_product(float* dweight, const float* dy_t, const float* cols, const Conv2dGeometry& g,
                               int64_t columns) {
  const int64_t k = g.column_length(), group_out = g.out_channels / g.groups;
  for (int64_t group = 0; group < g.groups; ++group)
    gemm_accumulate(dweight + group * group_out * k, dy_t + group * group_out * columns, cols + group * k * columns,
                    group_out, k, columns, {.b = true});
}

// Both gradients, chunk by chunk: dy' once for both; the weight's product reads the
// columns of x, then the same buffer receives dcols.
void conv2d_backward_fast(float* dx, bool accumulate_dx, float* dweight, float* dbias, const float* dy,
                          const float* x, const float* weight, const Conv2dGeometry& g, float* workspace) {
  const int64_t chunk = conv2d_chunk_images(g), p = pixels_out(g), k = g.column_length();
  const int64_t group_out = g.out_channels / g.groups;
  const auto [cols, dy_t] = chunk_buffers(workspace, g);
  for (int64_t first = 0; first < g.batch; first += chunk) {
    const int64_t images = std::min(chunk, g.batch - first), columns = images * p;
    permute_output(dy_t, dy, g, first, images);
    if (dbias != nullptr)
      for (int64_t o = 0; o < g.out_channels; ++o) dbias[o] += row_sum(dy_t + o * columns, columns);
    if (dweight != nullptr) {
      im2col(cols, x, g, first, images);
      accumulate_weight_product(dweight, dy_t, cols, g, columns);
    }
    if (dx != nullptr) {
      for (int64_t group = 0; group < g.groups; ++group)  // dcols_g = W_g^T dy'_g
        gemm_store(cols + group * k * columns, weight + group * group_out * k, dy_t + group * group_out * columns,
                   k, columns, group_out, {.a = true});
      col2im(dx, cols, g, first, images, accumulate_dx);
    }
  }
}

// x[n, c, h, w] with zero padding outside the image
float padded(const float* x, const Conv2dGeometry& g, int64_t n, int64_t c, int64_t h, int64_t w) {
  if (h < 0 || h >= g.in_height || w < 0 || w >= g.in_width) return 0.0f;
  return x[((n * g.in_channels + c) * g.in_height + h) * g.in_width + w];
}

bool threaded_reference(const Conv2dGeometry& g) {
  return g.output_size() * g.column_length() >= kGemmThreadingThreshold && !inside_parallel_region();
}

}  // namespace

int64_t conv2d_chunk_images(const Conv2dGeometry& g) {
  const int64_t per_image = std::max<int64_t>(1, column_rows(g) * pixels_out(g));
  return std::clamp<int64_t>(kColumnFloatsPerChunk / per_image, 1, std::max<int64_t>(1, g.batch));
}

int64_t conv2d_workspace_floats(const Conv2dGeometry& g) {
  return (column_rows(g) + g.out_channels) * conv2d_chunk_images(g) * pixels_out(g);
}

void conv2d_forward(float* y, const float* x, const float* weight, const float* bias, const Conv2dGeometry& g,
                    float* workspace, bool accumulate) {
  flush_denormals_on_this_thread();
  if (use_reference()) return conv2d_forward_reference(y, x, weight, bias, g, accumulate);
  const int64_t chunk = conv2d_chunk_images(g), p = pixels_out(g);
  const auto [cols, y_t] = chunk_buffers(workspace, g);
  for (int64_t first = 0; first < g.batch; first += chunk) {
    const int64_t images = std::min(chunk, g.batch - first), columns = images * p;
    im2col(cols, x, g, first, images);
    multiply_columns(y_t, weight, cols, g, columns);
    unpermute_output(y, y_t, bias, g, first, images, accumulate);
  }
}

void conv2d_backward_input(float* dx, const float* dy, const float* weight, const Conv2dGeometry& g,
                           float* workspace, bool accumulate) {
  flush_denormals_on_this_thread();
  if (use_reference()) return conv2d_backward_input_reference(dx, dy, weight, g, accumulate);
  conv2d_backward_fast(dx, accumulate, nullptr, nullptr, dy, nullptr, weight, g, workspace);
}

void conv2d_backward_weight(float* dweight, float* dbias, const float* dy, const float* x, const Conv2dGeometry& g,
                            float* workspace) {
  flush_denormals_on_this_thread();
  if (use_reference()) return conv2d_backward_weight_reference(dweight, dbias, dy, x, g);
  conv2d_backward_fast(nullptr, true, dweight, dbias, dy, x, nullptr, g, workspace);
}

void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                     const Conv2dGeometry& g, float* workspace) {
  flush_denormals_on_this_thread();
  if (use_reference()) {
    if (dweight != nullptr || dbias != nullptr) conv2d_backward_weight_reference(dweight, dbias, dy, x, g);
    if (dx != nullptr) conv2d_backward_input_reference(dx, dy, weight, g);
    return;
  }
  conv2d_backward_fast(dx, true, dweight, dbias, dy, x, weight, g, workspace);
}

void conv2d_forward_and_backward_weight(float* y, float* dweight, const float* x, const float* dy,
                                        const float* weight, const Conv2dGeometry& g, float* workspace) {
  flush_denormals_on_this_thread();
  if (use_reference()) {
    if (dweight != nullptr) conv2d_backward_weight_reference(dweight, nullptr, dy, x, g);
    if (y != nullptr) conv2d_forward_reference(y, x, weight, nullptr, g, /*accumulate=*/true);
    return;
  }
  const int64_t chunk = conv2d_chunk_images(g), p = pixels_out(g);
  const auto [cols, transposed] = chunk_buffers(workspace, g);
  for (int64_t first = 0; first < g.batch; first += chunk) {
    const int64_t images = std::min(chunk, g.batch - first), columns = images * p;
    im2col(cols, x, g, first, images);
    if (dweight != nullptr) {
      permute_output(transposed, dy, g, first, images);
      accumulate_weight_product(dweight, transposed, cols, g, columns);
    }
    if (y != nullptr) {
      multiply_columns(transposed, weight, cols, g, columns);
      unpermute_output(y, transposed, nullptr, g, first, images, /*accumulate=*/true);
    }
  }
}

void conv2d_forward_reference(float* y, const float* x, const float* weight, const float* bias,
                              const Conv2dGeometry& g, bool accumulate) {
  const int64_t oh = g.out_height(), ow = g.out_width(), group_in = g.in_channels / g.groups,
                group_out = g.out_channels / g.groups;
#pragma omp parallel for schedule(static) if (threaded_reference(g))
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t o = 0; o < g.out_channels; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          float total = bias != nullptr ? bias[o] : 0.0f;
          for (int64_t c = 0; c < group_in; ++c)
            for (int64_t a = 0; a < g.kernel_height; ++a)
              for (int64_t b = 0; b < g.kernel_width; ++b)
                total += weight[((o * group_in + c) * g.kernel_height + a) * g.kernel_width + b] *
                         padded(x, g, n, o / group_out * group_in + c,
                                i * g.stride_height - g.padding_height + a * g.dilation_height,
                                j * g.stride_width - g.padding_width + b * g.dilation_width);
          float& out = y[((n * g.out_channels + o) * oh + i) * ow + j];
          out = accumulate ? out + total : total;
        }
}

void conv2d_backward_input_reference(float* dx, const float* dy, const float* weight, const Conv2dGeometry& g,
                                     bool accumulate) {
  const int64_t oh = g.out_height(), ow = g.out_width(), group_in = g.in_channels / g.groups,
                group_out = g.out_channels / g.groups;
#pragma omp parallel for schedule(static) if (threaded_reference(g))
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t c = 0; c < g.in_channels; ++c)
      for (int64_t h = 0; h < g.in_height; ++h)
        for (int64_t w = 0; w < g.in_width; ++w) {
          // every output (o, i, j) whose window reads x[n, c, h, w] through tap (a, b)
          float total = 0.0f;
          const int64_t group = c / group_in;
          for (int64_t o = group * group_out; o < (group + 1) * group_out; ++o)
            for (int64_t a = 0; a < g.kernel_height; ++a)
              for (int64_t b = 0; b < g.kernel_width; ++b) {
                const int64_t rows = h + g.padding_height - a * g.dilation_height,
                              cols = w + g.padding_width - b * g.dilation_width;
                if (rows < 0 || cols < 0 || rows % g.stride_height != 0 || cols % g.stride_width != 0) continue;
                const int64_t i = rows / g.stride_height, j = cols / g.stride_width;
                if (i >= oh || j >= ow) continue;
                total += weight[((o * group_in + c % group_in) * g.kernel_height + a) * g.kernel_width + b] *
                         dy[((n * g.out_channels + o) * oh + i) * ow + j];
              }
          float& out = dx[((n * g.in_channels + c) * g.in_height + h) * g.in_width + w];
          out = accumulate ? out + total : total;
        }
}

void conv2d_backward_weight_reference(float* dweight, float* dbias, const float* dy, const float* x,
                                      const Conv2dGeometry& g) {
  const int64_t oh = g.out_height(), ow = g.out_width(), group_in = g.in_channels / g.groups,
                group_out = g.out_channels / g.groups;
#pragma omp parallel for schedule(static) if (threaded_reference(g))
  for (int64_t o = 0; o < g.out_channels; ++o) {
    const float* dy_o = dy + o * oh * ow;
    if (dbias != nullptr) {
      float total = 0.0f;
      for (int64_t n = 0; n < g.batch; ++n)
        for (int64_t q = 0; q < oh * ow; ++q) total += dy_o[n * g.out_channels * oh * ow + q];
      dbias[o] += total;
    }
    if (dweight == nullptr) continue;
    for (int64_t c = 0; c < group_in; ++c)
      for (int64_t a = 0; a < g.kernel_height; ++a)
        for (int64_t b = 0; b < g.kernel_width; ++b) {
          float total = 0.0f;
          for (int64_t n = 0; n < g.batch; ++n)
            for (int64_t i = 0; i < oh; ++i)
              for (int64_t j = 0; j < ow; ++j)
                total += dy_o[n * g.out_channels * oh * ow + i * ow + j] *
                         padded(x, g, n, o / group_out * group_in + c,
                                i * g.stride_height - g.padding_height + a * g.dilation_height,
                                j * g.stride_width - g.padding_width + b * g.dilation_width);
          dweight[((o * group_in + c) * g.kernel_height + a) * g.kernel_width + b] += total;
        }
  }
}

void add_channel_bias(float* y, const float* bias, int64_t batch, int64_t channels, int64_t pixels) {
  for_each_row(batch * channels, pixels, [&](int64_t plane) {
    float* out = y + plane * pixels;
    const float shift = bias[plane % channels];
    for (int64_t q = 0; q < pixels; ++q) out[q] += shift;
  });
}

void accumulate_channel_sums(float* dbias, const float* dy, int64_t batch, int64_t channels, int64_t pixels) {
  for (int64_t c = 0; c < channels; ++c) {
    float total = 0.0f;
    for (int64_t n = 0; n < batch; ++n) total += row_sum(dy + (n * channels + c) * pixels, pixels);
    dbias[c] += total;
  }
}

// --- pooling and upsampling ---------------------------------------------------------

int64_t Pool2dGeometry::out_height() const {
  return outputs_along(in_height + 2 * padding_height - kernel_height, stride_height);
}
int64_t Pool2dGeometry::out_width() const {
  return outputs_along(in_width + 2 * padding_width - kernel_width, stride_width);
}

void avg_pool2d_forward(float* y, const float* x, const Pool2dGeometry& g) {
  flush_denormals_on_this_thread();
  const int64_t oh = g.out_height(), ow = g.out_width(), plane = g.in_height * g.in_width;
  const float inverse_area = 1.0f / static_cast<float>(g.kernel_height * g.kernel_width);
  for_each_row(g.planes, plane, [&](int64_t pl) {
    const float* in = x + pl * plane;
    float* out = y + pl * oh * ow;
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        float total = 0.0f;
        for (int64_t a = 0; a < g.kernel_height; ++a) {
          const int64_t h = i * g.stride_height - g.padding_height + a;
          if (h < 0 || h >= g.in_height) continue;
          for (int64_t b = 0; b < g.kernel_width; ++b) {
            const int64_t w = j * g.stride_width - g.padding_width + b;
            if (w >= 0 && w < g.in_width) total += in[h * g.in_width + w];
          }
        }
        out[i * ow + j] = total * inverse_area;
      }
  });
}

void avg_pool2d_backward(float* dx, const float* dy, const Pool2dGeometry& g) {
  flush_denormals_on_this_thread();
  const int64_t oh = g.out_height(), ow = g.out_width(), plane = g.in_height * g.in_width;
  const float inverse_area = 1.0f / static_cast<float>(g.kernel_height * g.kernel_width);
  for_each_row(g.planes, plane, [&](int64_t pl) {
    float* target = dx + pl * plane;
    const float* in = dy + pl * oh * ow;
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        const float share = in[i * ow + j] * inverse_area;
        for (int64_t a = 0; a < g.kernel_height; ++a) {
          const int64_t h = i * g.stride_height - g.padding_height + a;
          if (h < 0 || h >= g.in_height) continue;
          for (int64_t b = 0; b < g.kernel_width; ++b) {
            const int64_t w = j * g.stride_width - g.padding_width + b;
            if (w >= 0 && w < g.in_width) target[h * g.in_width + w] += share;
          }
        }
      }
  });
}

void max_pool2d_forward(float* y, int32_t* argmax, const float* x, const Pool2dGeometry& g) {
  flush_denormals_on_this_thread();
  const int64_t oh = g.out_height(), ow = g.out_width(), plane = g.in_height * g.in_width;
  for_each_row(g.planes, plane, [&](int64_t pl) {
    const float* in = x + pl * plane;
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        int64_t best = -1;
        float best_value = -std::numeric_limits<float>::infinity();
        for (int64_t a = 0; a < g.kernel_height; ++a) {
          const int64_t h = i * g.stride_height - g.padding_height + a;
          if (h < 0 || h >= g.in_height) continue;
          for (int64_t b = 0; b < g.kernel_width; ++b) {
            const int64_t w = j * g.stride_width - g.padding_width + b;
            if (w < 0 || w >= g.in_width) continue;
            const float v = in[h * g.in_width + w];
            // strictly greater: the first maximum wins a tie; a NaN, once chosen, stays
            if (best < 0 || (!(best_value != best_value) && (v > best_value || v != v))) {
              best = h * g.in_width + w;
              best_value = v;
            }
          }
        }
        const int64_t out = pl * oh * ow + i * ow + j;
        y[out] = best_value;
        argmax[out] = static_cast<int32_t>(best);
      }
  });
}

void max_pool2d_backward(float* dx, const float* dy, const int32_t* argmax, const Pool2dGeometry& g) {
  flush_denormals_on_this_thread();
  const int64_t outputs = g.out_height() * g.out_width(), plane = g.in_height * g.in_width;
  for_each_row(g.planes, plane, [&](int64_t pl) {
    for (int64_t q = 0; q < outputs; ++q) dx[pl * plane + argmax[pl * outputs + q]] += dy[pl * outputs + q];
  });
}

void upsample_nearest2d_forward(float* y, const float* x, int64_t planes, int64_t height, int64_t width,
                                int64_t factor_height, int64_t factor_width) {
  flush_denormals_on_this_thread();
  const int64_t out_height = height * factor_height, out_width = width * factor_width;
  for_each_row(planes, out_height * out_width, [&](int64_t pl) {
    const float* in = x + pl * height * width;
    float* out = y + pl * out_height * out_width;
    for (int64_t i = 0; i < out_height; ++i)
      for (int64_t j = 0; j < out_width; ++j) out[i * out_width + j] = in[i / factor_height * width + j / factor_width];
  });
}

void upsample_nearest2d_backward(float* dx, const float* dy, int64_t planes, int64_t height, int64_t width,
                                 int64_t factor_height, int64_t factor_width) {
  flush_denormals_on_this_thread();
  const int64_t out_height = height * factor_height, out_width = width * factor_width;
  for_each_row(planes, out_height * out_width, [&](int64_t pl) {
    float* target = dx + pl * height * width;
    const float* in = dy + pl * out_height * out_width;
    for (int64_t i = 0; i < out_height; ++i)
      for (int64_t j = 0; j < out_width; ++j) target[i / factor_height * width + j / factor_width] += in[i * out_width + j];
  });
}

}  // namespace aevb::kernels
