// Two-dimensional convolution, NCHW, float32: the three products of a convolution
// layer (its output, and the gradients of its input and of its weight), each as a
// readable reference loop and as a fast path built on the packed gemm.
//
// Legend: N images, C input channels, H x W the input, O output channels, KH x KW the
// kernel, G groups, OH x OW the output, K = (C/G) KH KW a column's length, P = OH OW.
// x [N, C, H, W], weight [O, C/G, KH, KW], bias [O], y [N, O, OH, OW], as in PyTorch;
//   y[n,o,i,j] = bias[o] + sum_{c in o's group, a, b} weight[o,c,a,b]
//                                 x[n, c, i*sh - ph + a*dh, j*sw - pw + b*dw]
// with x read as 0 outside the image (zero padding).
//
// The fast path (im2col): the patches of a chunk of images are laid out as the columns
// of a matrix cols [G*K, chunk*P] (row (c, a, b), column (image, i, j)), so that
//   y' [O, chunk*P] = weight [O, K] cols,            per group
//   dcols [K, chunk*P] = weight^T dy',  then col2im scatters dcols back onto dx
//   dweight [O, K] += dy' cols^T
// where y' is y with images and channels swapped (a permute folds the bias in). The
// chunk's size depends on the shapes alone (about a megabyte of columns), so the order
// of every sum, and so every bit, is the same at any thread count; the gemm threads
// over its tiles, im2col and col2im over channel planes.
//
// A transposed convolution is this layer's input gradient as a forward pass: its ops
// (ops/convolution.cpp) call these same kernels with the roles exchanged.
//
// The kernels know nothing of the tape: the op passes the workspace (arena memory,
// conv2d_workspace_floats of them) so that a training step allocates nothing. With the
// scalar instruction set (kernels/isa.h) they run the reference loops (and leave the
// workspace unused).
#pragma once

#include <cstdint>

namespace aevb::kernels {

struct Conv2dGeometry {
  int64_t batch = 0, in_channels = 0, in_height = 0, in_width = 0;
  int64_t out_channels = 0, kernel_height = 0, kernel_width = 0;
  int64_t stride_height = 1, stride_width = 1;
  int64_t padding_height = 0, padding_width = 0;
  int64_t dilation_height = 1, dilation_width = 1;
  int64_t groups = 1;

  // floor((H + 2 ph - dh (KH - 1) - 1) / sh) + 1; may be <= 0 for a kernel that does not fit
  int64_t out_height() const;
  int64_t out_width() const;
  int64_t column_length() const { return in_channels / groups * kernel_height * kernel_width; }  // K
  int64_t input_size() const { return batch * in_channels * in_height * in_width; }
  int64_t output_size() const { return batch * out_channels * out_height() * out_width(); }
  int64_t weight_size() const { return out_channels * column_length(); }
};

// Images per chunk of the fast path (shapes only: never the thread count).
int64_t conv2d_chunk_images(const Conv2dGeometry& g);
// Floats of workspace each product below needs.
int64_t conv2d_workspace_floats(const Conv2dGeometry& g);

// y = conv(x, weight) + bias (bias null: none); accumulate: y += that instead.
void conv2d_forward(float* y, const float* x, const float* weight, const float* bias, const Conv2dGeometry& g,
                    float* workspace, bool accumulate = false);
// dx += the gradient of y's sum weighted by dy with respect to x; overwritten instead
// when `accumulate` is false (a transposed convolution's forward).
void conv2d_backward_input(float* dx, const float* dy, const float* weight, const Conv2dGeometry& g,
                           float* workspace, bool accumulate = true);
// dweight += sum_n dy (*) x;  dbias += sums of dy over images and pixels (either null: skipped)
void conv2d_backward_weight(float* dweight, float* dbias, const float* dy, const float* x, const Conv2dGeometry& g,
                            float* workspace);

// Both at once (any of dx, dweight, dbias null: skipped), as a layer's backward needs
// them: dy is permuted once for all.
void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                     const Conv2dGeometry& g, float* workspace);

// y += conv(x, weight) and dweight += sum_n dy (*) x (either null: skipped), the columns
// of x built once for both: a transposed convolution's backward, where the gradient of
// its output is the x of both products (and its input the dy). The same bits as
// conv2d_forward (accumulating) and conv2d_backward_weight called one after the other.
void conv2d_forward_and_backward_weight(float* y, float* dweight, const float* x, const float* dy,
                                        const float* weight, const Conv2dGeometry& g, float* workspace);

// The reference loops: one output (or gradient) element at a time, straight from the
// formula above, threaded over images (dweight: over output channels).
void conv2d_forward_reference(float* y, const float* x, const float* weight, const float* bias,
                              const Conv2dGeometry& g, bool accumulate = false);
void conv2d_backward_input_reference(float* dx, const float* dy, const float* weight, const Conv2dGeometry& g,
                                     bool accumulate = true);
void conv2d_backward_weight_reference(float* dweight, float* dbias, const float* dy, const float* x,
                                      const Conv2dGeometry& g);

// y[n, c, :] += bias[c] over each image's planes [N, C, pixels]; and its gradient,
// dbias[c] += the sum of dy over images and pixels.
void add_channel_bias(float* y, const float* bias, int64_t batch, int64_t channels, int64_t pixels);
void accumulate_channel_sums(float* dbias, const float* dy, int64_t batch, int64_t channels, int64_t pixels);

// --- pooling and upsampling (memory-bound: one loop each, threaded over planes) -----
// planes = N C; each plane [H, W] -> [OH, OW] with the window geometry below.
struct Pool2dGeometry {
  int64_t planes = 0, in_height = 0, in_width = 0;
  int64_t kernel_height = 1, kernel_width = 1;
  int64_t stride_height = 1, stride_width = 1;
  int64_t padding_height = 0, padding_width = 0;
  int64_t out_height() const;
  int64_t out_width() const;
};
// Mean over each window, padding counted as zeros (the divisor is always KH KW, as
// PyTorch's count_include_pad default).
void avg_pool2d_forward(float* y, const float* x, const Pool2dGeometry& g);
void avg_pool2d_backward(float* dx, const float* dy, const Pool2dGeometry& g);  // dx +=
// Max over each window's pixels inside the image (padding is never chosen). `argmax`
// receives, per output, the flat index in its plane of the first maximum in row-major
// window order (a NaN counts as the maximum; a window all -inf picks its first pixel).
void max_pool2d_forward(float* y, int32_t* argmax, const float* x, const Pool2dGeometry& g);
void max_pool2d_backward(float* dx, const float* dy, const int32_t* argmax, const Pool2dGeometry& g);  // dx +=
// Nearest upsampling by integer factors: y[i, j] = x[i / fh, j / fw].
void upsample_nearest2d_forward(float* y, const float* x, int64_t planes, int64_t height, int64_t width,
                                int64_t factor_height, int64_t factor_width);
void upsample_nearest2d_backward(float* dx, const float* dy, int64_t planes, int64_t height, int64_t width,
                                 int64_t factor_height, int64_t factor_width);  // dx += block sums

}  // namespace aevb::kernels
