// Convolution, pooling and upsampling of images, NCHW. Legend: N images, C input
// channels, O output channels, H x W an image, KH x KW a kernel, s stride, p padding,
// d dilation, G groups. The products themselves are kernels/convolution.h's.
#include <cstdint>
#include <string>

#include "autodiff/kernels/convolution.h"
#include "autodiff/ops.h"

namespace aevb {
namespace {

std::string by(Size2d size) { return std::to_string(size.height) + "x" + std::to_string(size.width); }

// The parameters every windowed op takes, checked alike: each message names the op.
void check_window(const char* op, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation) {
  check(kernel.height >= 1 && kernel.width >= 1, op, ": kernel ", by(kernel), " must be at least 1x1");
  check(stride.height >= 1 && stride.width >= 1, op, ": stride ", by(stride), " must be at least 1 on each axis");
  check(padding.height >= 0 && padding.width >= 0, op, ": padding ", by(padding), " must not be negative");
  check(dilation.height >= 1 && dilation.width >= 1, op, ": dilation ", by(dilation),
        " must be at least 1 on each axis");
}

Shape image_shape(const char* op, Var x) {
  const Shape shape = x.shape();
  check(shape.rank() == 4, op, ": input ", shape, " is not a batch of images [N, C, H, W]");
  check(shape.numel() > 0, op, ": input ", shape, " is empty");
  return shape;
}

// The convolution's geometry from x [N, C, H, W] and weight [O, C/G, KH, KW], checked.
kernels::Conv2dGeometry conv_geometry(const char* op, const Shape& x, const Shape& weight, Size2d stride,
                                      Size2d padding, Size2d dilation, int64_t groups) {
  check(weight.rank() == 4, op, ": weight ", weight, " is not [O, C/G, KH, KW]");
  const Size2d kernel{weight[2], weight[3]};
  check_window(op, kernel, stride, padding, dilation);
  kernels::Conv2dGeometry g{.batch = x[0], .in_channels = x[1], .in_height = x[2], .in_width = x[3],
                            .out_channels = weight[0], .kernel_height = kernel.height,
                            .kernel_width = kernel.width, .stride_height = stride.height,
                            .stride_width = stride.width, .padding_height = padding.height,
                            .padding_width = padding.width, .dilation_height = dilation.height,
                            .dilation_width = dilation.width, .groups = groups};
  check(g.out_height() >= 1 && g.out_width() >= 1, op, ": kernel ", by(kernel),
        dilation.height * dilation.width > 1 ? " with dilation " + by(dilation) : std::string(), " with padding ",
        by(padding), " does not fit input ", x[2], "x", x[3]);
  return g;
}

void check_groups(const char* op, int64_t groups, int64_t in_channels, int64_t out_channels,
                  const char* out_name) {
  check(groups >= 1, op, ": groups ", groups, " must be at least 1");
  check(in_channels % groups == 0 && out_channels % groups == 0, op, ": groups ", groups, " must divide the ",
        in_channels, " input and the ", out_channels, " ", out_name, " channels");
}

void check_bias(const char* op, Var bias, int64_t channels) {
  if (!bias.defined()) return;
  check(bias.shape() == Shape{channels}, op, ": bias ", bias.shape(), " does not fit ", channels,
        " output channels (it must be [", channels, "])");
}

// The geometry kept in the arena: a closure has room for its Vars and a few words only.
const kernels::Conv2dGeometry* save_geometry(Tape& tape, const kernels::Conv2dGeometry& g) {
  kernels::Conv2dGeometry* saved = tape.scratch<kernels::Conv2dGeometry>(1);
  *saved = g;
  return saved;
}

// The inputs of a node, the bias left out when there is none.
int32_t gather_inputs(Var (&inputs)[3], Var x, Var weight, Var bias) {
  inputs[0] = x;
  inputs[1] = weight;
  inputs[2] = bias;
  return bias.defined() ? 3 : 2;
}

}  // namespace

// y[n,o,i,j] = b[o] + sum_{c in o's group, a, b'} W[o,c,a,b'] x[n, c, s i - p + d a, s j - p + d b']
// (x read as 0 outside the image), y [N, O, (H + 2p - d(KH - 1) - 1) / s + 1, ...]
//   dx += the transposed convolution of dy with W;  dW[o,c,a,b'] += sum_{n,i,j} dy[n,o,i,j] x[...];
//   db[o] += sum_{n,i,j} dy[n,o,i,j]
Var conv2d(Var x, Var weight, Var bias, Conv2dOptions options) {
  const Shape x_shape = image_shape("conv2d", x), w_shape = weight.shape();
  check(w_shape.rank() == 4, "conv2d: weight ", w_shape, " is not [O, C/G, KH, KW]");
  check_groups("conv2d", options.groups, x_shape[1], w_shape[0], "output");
  check(w_shape[1] * options.groups == x_shape[1], "conv2d: weight ", w_shape, " takes ", w_shape[1],
        " channels per group, but the input ", x_shape, " has ", x_shape[1], " in ", options.groups,
        options.groups == 1 ? " group" : " groups");
  const kernels::Conv2dGeometry g = conv_geometry("conv2d", x_shape, w_shape, options.stride, options.padding,
                                                  options.dilation, options.groups);
  check_bias("conv2d", bias, g.out_channels);

  Tape& tape = x.tape();
  Var inputs[3];
  const int32_t count = gather_inputs(inputs, x, weight, bias);
  Var y = tape.record("conv2d", Shape{g.batch, g.out_channels, g.out_height(), g.out_width()}, inputs, count);
  // Workspace for both passes, taken now so that backward allocates nothing.
  float* workspace = tape.scratch<float>(kernels::conv2d_workspace_floats(g));
  kernels::conv2d_forward(tape.value_buffer(y), x.data(), weight.data(), bias.defined() ? bias.data() : nullptr, g,
                          workspace);
  const kernels::Conv2dGeometry* saved = save_geometry(tape, g);
  tape.set_backward(y, [x, weight, bias, y, saved, workspace] {
    const bool bias_grad = bias.defined() && bias.requires_grad();
    kernels::conv2d_backward(x.requires_grad() ? x.grad() : nullptr, weight.requires_grad() ? weight.grad() : nullptr,
                             bias_grad ? bias.grad() : nullptr, y.grad(), x.data(), weight.data(), *saved, workspace);
  });
  return y;
}

// The gradient of conv2d with respect to its input, as a layer: x [N, C, H, W] spread
// through W [C, O/G, KH, KW] onto y [N, O, (H - 1)s - 2p + d(KH - 1) + output_padding + 1, ...]
//   y[n, o, s i - p + d a, s j - p + d b'] += W[c,o,a,b'] x[n,c,i,j], then + b[o]
//   dx += conv2d(dy, W);  dW[c,o,a,b'] += sum_{n,i,j} x[n,c,i,j] dy[n, o, s i - p + d a, ...];  db[o] += sums of dy
Var conv_transpose2d(Var x, Var weight, Var bias, ConvTranspose2dOptions options) {
  const char* op = "conv_transpose2d";
  const Shape x_shape = image_shape(op, x), w_shape = weight.shape();
  check(w_shape.rank() == 4, op, ": weight ", w_shape, " is not [C, O/G, KH, KW]");
  check(w_shape[0] == x_shape[1], op, ": weight ", w_shape, " takes ", w_shape[0], " input channels, but the input ",
        x_shape, " has ", x_shape[1]);
  const int64_t out_channels = w_shape[1] * options.groups;
  check_groups(op, options.groups, x_shape[1], out_channels, "output");
  const Size2d kernel{w_shape[2], w_shape[3]}, stride = options.stride, padding = options.padding,
               dilation = options.dilation, extra = options.output_padding;
  check_window(op, kernel, stride, padding, dilation);
  check(extra.height >= 0 && extra.width >= 0 && extra.height < stride.height && extra.width < stride.width, op,
        ": output padding ", by(extra), " must be at least 0 and smaller than the stride ", by(stride));
  const int64_t out_height = (x_shape[2] - 1) * stride.height - 2 * padding.height +
                             dilation.height * (kernel.height - 1) + extra.height + 1;
  const int64_t out_width = (x_shape[3] - 1) * stride.width - 2 * padding.width +
                            dilation.width * (kernel.width - 1) + extra.width + 1;
  check(out_height >= 1 && out_width >= 1, op, ": padding ", by(padding), " leaves no output from input ", x_shape[2],
        "x", x_shape[3], " and kernel ", by(kernel));
  check_bias(op, bias, out_channels);
  // The convolution whose input gradient this is: from y's shape to x's.
  const kernels::Conv2dGeometry g{.batch = x_shape[0], .in_channels = out_channels, .in_height = out_height,
                                  .in_width = out_width, .out_channels = x_shape[1],
                                  .kernel_height = kernel.height, .kernel_width = kernel.width,
                                  .stride_height = stride.height, .stride_width = stride.width,
                                  .padding_height = padding.height, .padding_width = padding.width,
                                  .dilation_height = dilation.height, .dilation_width = dilation.width,
                                  .groups = options.groups};

  Tape& tape = x.tape();
  Var inputs[3];
  const int32_t count = gather_inputs(inputs, x, weight, bias);
  Var y = tape.record(op, Shape{g.batch, out_channels, out_height, out_width}, inputs, count);
  float* workspace = tape.scratch<float>(kernels::conv2d_workspace_floats(g));
  float* y_values = tape.value_buffer(y);
  kernels::conv2d_backward_input(y_values, x.data(), weight.data(), g, workspace, /*accumulate=*/false);
  if (bias.defined()) kernels::add_channel_bias(y_values, bias.data(), g.batch, out_channels, out_height * out_width);
  const kernels::Conv2dGeometry* saved = save_geometry(tape, g);
  tape.set_backward(y, [x, weight, bias, y, saved, workspace] {
    const kernels::Conv2dGeometry& g = *saved;
    if (bias.defined() && bias.requires_grad())
      kernels::accumulate_channel_sums(bias.grad(), y.grad(), g.batch, g.in_channels, g.in_height * g.in_width);
    // dW += x (*) dy and dx += conv(dy, W): dy's columns built once for both.
    if (x.requires_grad() || weight.requires_grad())
      kernels::conv2d_forward_and_backward_weight(x.requires_grad() ? x.grad() : nullptr,
                                                  weight.requires_grad() ? weight.grad() : nullptr, y.grad(),
                                                  x.data(), weight.data(), g, workspace);
  });
  return y;
}

namespace {

kernels::Pool2dGeometry pool_geometry(const char* op, Var x, Size2d kernel, Size2d stride, Size2d padding) {
  const Shape shape = image_shape(op, x);
  if (stride.height == 0 && stride.width == 0) stride = kernel;  // the default: windows side by side
  check_window(op, kernel, stride, padding, {1, 1});
  // Every window then holds a pixel of the image (as PyTorch requires).
  check(2 * padding.height <= kernel.height && 2 * padding.width <= kernel.width, op, ": padding ", by(padding),
        " must be at most half the kernel ", by(kernel));
  const kernels::Pool2dGeometry g{.planes = shape[0] * shape[1], .in_height = shape[2], .in_width = shape[3],
                                  .kernel_height = kernel.height, .kernel_width = kernel.width,
                                  .stride_height = stride.height, .stride_width = stride.width,
                                  .padding_height = padding.height, .padding_width = padding.width};
  check(g.out_height() >= 1 && g.out_width() >= 1, op, ": kernel ", by(kernel), " with padding ", by(padding),
        " does not fit input ", shape[2], "x", shape[3]);
  check(shape[2] * shape[3] <= INT32_MAX, op, ": input ", shape, " has more pixels per plane than 2^31 - 1");
  return g;
}

}  // namespace

// y[n,c,i,j] = (1 / (KH KW)) sum_{a,b} x[n, c, s i - p + a, s j - p + b] (padding counts as 0)
//   dx[n, c, s i - p + a, s j - p + b] += dy[n,c,i,j] / (KH KW)
Var avg_pool2d(Var x, Size2d kernel, Size2d stride, Size2d padding) {
  const kernels::Pool2dGeometry g = pool_geometry("avg_pool2d", x, kernel, stride, padding);
  const Shape shape = x.shape();
  Tape& tape = x.tape();
  Var y = tape.record("avg_pool2d", Shape{shape[0], shape[1], g.out_height(), g.out_width()}, {x});
  kernels::avg_pool2d_forward(tape.value_buffer(y), x.data(), g);
  tape.set_backward(y, [x, y, g] { kernels::avg_pool2d_backward(x.grad(), y.grad(), g); });
  return y;
}

// y[n,c,i,j] = max_{a,b} x[n, c, s i - p + a, s j - p + b] over the window's pixels in the image
//   dx at the first maximum in row-major window order += dy[n,c,i,j] (the other pixels get 0)
Var max_pool2d(Var x, Size2d kernel, Size2d stride, Size2d padding) {
  const kernels::Pool2dGeometry g = pool_geometry("max_pool2d", x, kernel, stride, padding);
  const Shape shape = x.shape();
  Tape& tape = x.tape();
  Var y = tape.record("max_pool2d", Shape{shape[0], shape[1], g.out_height(), g.out_width()}, {x});
  int32_t* argmax = tape.scratch<int32_t>(y.numel());
  kernels::max_pool2d_forward(tape.value_buffer(y), argmax, x.data(), g);
  tape.set_backward(y, [x, y, g, argmax] { kernels::max_pool2d_backward(x.grad(), y.grad(), argmax, g); });
  return y;
}

// y[n, c, i, j] = x[n, c, i / fh, j / fw] (nearest), y [N, C, H fh, W fw]
//   dx[n,c,h,w] += the sum of dy over its fh x fw block
Var upsample2d(Var x, Size2d factor) {
  const Shape shape = image_shape("upsample2d", x);
  check(factor.height >= 1 && factor.width >= 1, "upsample2d: factor ", by(factor), " must be at least 1x1");
  Tape& tape = x.tape();
  Var y = tape.record("upsample2d", Shape{shape[0], shape[1], shape[2] * factor.height, shape[3] * factor.width}, {x});
  const int64_t planes = shape[0] * shape[1], height = shape[2], width = shape[3];
  kernels::upsample_nearest2d_forward(tape.value_buffer(y), x.data(), planes, height, width, factor.height,
                                      factor.width);
  tape.set_backward(y, [x, y, planes, height, width, factor] {
    kernels::upsample_nearest2d_backward(x.grad(), y.grad(), planes, height, width, factor.height, factor.width);
  });
  return y;
}

}  // namespace aevb
