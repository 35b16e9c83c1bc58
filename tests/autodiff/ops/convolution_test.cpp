// Tests for autodiff/ops/convolution.cpp: values against direct loops written here in
// double precision, gradients on odd shapes (non-square kernels and images, strides 2
// and 3, padding, dilation 2, groups, batch 1 and 3, one channel), the transposed
// convolution as conv2d's adjoint, pooling's ties and NaN, and the shape errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "autodiff/autodiff.h"
#include "autodiff/kernels/convolution.h"
#include "tests/autodiff/op_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;

namespace {

struct ConvCase {
  int64_t n, c, h, w, o, kh, kw;
  Conv2dOptions options;
};

// The cases every test walks: each parameter off its default somewhere.
const ConvCase kConvCases[] = {
    {1, 1, 5, 7, 2, 3, 2, {}},                                        // batch 1, one channel, non-square
    {3, 2, 7, 6, 3, 2, 3, {.stride = {2, 2}, .padding = {1, 1}}},     // batch 3, stride 2, padding
    {2, 3, 9, 8, 2, 3, 3, {.stride = {3, 2}, .padding = {2, 1}}},     // stride 3, padding 2
    {1, 2, 8, 9, 4, 3, 2, {.padding = {1, 0}, .dilation = {2, 2}, .groups = 2}},  // dilation 2, groups
    {3, 1, 4, 4, 1, 1, 1, {}},                                        // 1x1 kernel, one channel in and out
    {2, 4, 6, 5, 6, 2, 2, {.stride = {1, 2}, .dilation = {1, 2}, .groups = 2}},
};

double padded_at(const Tensor& x, int64_t n, int64_t c, int64_t h, int64_t w) {
  const Shape& s = x.shape();
  if (h < 0 || h >= s[2] || w < 0 || w >= s[3]) return 0.0;
  return x.at({n, c, h, w});
}

// y from the formula, in double: independent of the kernels' loops and order
Tensor direct_conv2d(const Tensor& x, const Tensor& weight, const Tensor* bias, const Conv2dOptions& o) {
  const int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  const int64_t out = weight.shape()[0], kh = weight.shape()[2], kw = weight.shape()[3];
  const int64_t oh = (h + 2 * o.padding.height - o.dilation.height * (kh - 1) - 1) / o.stride.height + 1;
  const int64_t ow = (w + 2 * o.padding.width - o.dilation.width * (kw - 1) - 1) / o.stride.width + 1;
  const int64_t group_in = c / o.groups, group_out = out / o.groups;
  Tensor y(Shape{n, out, oh, ow});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t f = 0; f < out; ++f)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double total = bias != nullptr ? (*bias)[f] : 0.0;
          for (int64_t ci = 0; ci < group_in; ++ci)
            for (int64_t a = 0; a < kh; ++a)
              for (int64_t bb = 0; bb < kw; ++bb)
                total += weight.at({f, ci, a, bb}) *
                         padded_at(x, b, f / group_out * group_in + ci,
                                   i * o.stride.height - o.padding.height + a * o.dilation.height,
                                   j * o.stride.width - o.padding.width + bb * o.dilation.width);
          y[((b * out + f) * oh + i) * ow + j] = static_cast<float>(total);
        }
  return y;
}

void check_close(const float* actual, const Tensor& expected, double tolerance = 1e-5) {
  for (int64_t i = 0; i < expected.numel(); ++i) {
    INFO("element " << i << ": got " << actual[i] << ", expected " << expected[i]);
    CHECK(std::fabs(actual[i] - expected[i]) <= tolerance * std::max(1.0, std::fabs(double{expected[i]})));
  }
}

double inner_product(const float* a, const float* b, int64_t count) {
  double total = 0;
  for (int64_t i = 0; i < count; ++i) total += double{a[i]} * b[i];
  return total;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("conv2d: values match the formula computed directly") {
  uint64_t seed = 100;
  for (const ConvCase& k : kConvCases) {
    CAPTURE(k.c);
    CAPTURE(k.h);
    CAPTURE(k.options.stride.height);
    Tensor x = random_tensor({k.n, k.c, k.h, k.w}, seed++), w = random_tensor({k.o, k.c / k.options.groups, k.kh, k.kw}, seed++),
           b = random_tensor({k.o}, seed++);
    Tape tape;
    Var y = conv2d(tape.input(x), tape.input(w), tape.input(b), k.options);
    Tensor expected = direct_conv2d(x, w, &b, k.options);
    REQUIRE(y.shape() == expected.shape());
    check_close(y.data(), expected);
    Var y_without_bias = conv2d(tape.input(x), tape.input(w), Var(), k.options);
    check_close(y_without_bias.data(), direct_conv2d(x, w, nullptr, k.options));
  }
}

TEST_CASE("conv2d: a hand-worked example (2x2 kernel on a 3x3 image)") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Var w = tape.input(Tensor::from_values({1, 1, 2, 2}, {1, 0, 0, -1}));
  Var y = conv2d(x, w, tape.input(Tensor::from_values({1}, {10})));
  // each output: top-left minus bottom-right of its window, plus 10
  check_values(std::vector<float>(y.data(), y.data() + 4), {6, 6, 6, 6});
}

TEST_CASE("conv2d: gradients of x, weight and bias on odd shapes") {
  uint64_t seed = 200;
  for (const ConvCase& k : kConvCases) {
    CAPTURE(k.c);
    CAPTURE(k.h);
    CAPTURE(k.options.stride.height);
    const Conv2dOptions options = k.options;
    check_gradients([options](std::span<const Var> v) { return conv2d(v[0], v[1], v[2], options); },
                    {random_tensor({k.n, k.c, k.h, k.w}, seed), random_tensor({k.o, k.c / options.groups, k.kh, k.kw}, seed + 1),
                     random_tensor({k.o}, seed + 2)});
    seed += 3;
  }
}

TEST_CASE("conv_transpose2d: it is conv2d's adjoint, <conv(x), u> = <x, conv_transpose(u)>") {
  uint64_t seed = 300;
  for (const ConvCase& k : kConvCases) {
    const Conv2dOptions& o = k.options;
    Tensor x = random_tensor({k.n, k.c, k.h, k.w}, seed++), w = random_tensor({k.o, k.c / o.groups, k.kh, k.kw}, seed++);
    Tape tape;
    Var y = conv2d(tape.input(x), tape.input(w), Var(), o);
    Tensor u = random_tensor(y.shape(), seed++);
    // output padding recovers the rows a strided convolution dropped
    const int64_t lost_h = (k.h + 2 * o.padding.height - o.dilation.height * (k.kh - 1) - 1) % o.stride.height;
    const int64_t lost_w = (k.w + 2 * o.padding.width - o.dilation.width * (k.kw - 1) - 1) % o.stride.width;
    Var back = conv_transpose2d(tape.input(u), tape.input(w), Var(),
                                {.stride = o.stride, .padding = o.padding, .output_padding = {lost_h, lost_w},
                                 .dilation = o.dilation, .groups = o.groups});
    REQUIRE(back.shape() == x.shape());
    const double left = inner_product(y.data(), u.data(), u.numel());
    const double right = inner_product(x.data(), back.data(), x.numel());
    CHECK(left == doctest::Approx(right).epsilon(1e-5));
  }
}

TEST_CASE("conv_transpose2d: gradients with stride, padding, output padding, dilation and groups") {
  struct Case {
    int64_t n, c, h, w, o_per_group, kh, kw;
    ConvTranspose2dOptions options;
  };
  const Case cases[] = {
      {1, 1, 3, 4, 1, 2, 3, {}},
      {3, 2, 4, 3, 3, 4, 4, {.stride = {2, 2}, .padding = {1, 1}}},  // the conv VAE's decoder layers
      {2, 3, 3, 3, 2, 3, 2, {.stride = {3, 2}, .padding = {2, 0}, .output_padding = {2, 1}}},
      {1, 4, 3, 4, 1, 3, 3, {.stride = {2, 1}, .padding = {1, 1}, .output_padding = {1, 0}, .dilation = {2, 2}, .groups = 2}},
  };
  uint64_t seed = 400;
  for (const Case& k : cases) {
    CAPTURE(k.c);
    CAPTURE(k.options.stride.height);
    const ConvTranspose2dOptions options = k.options;
    check_gradients([options](std::span<const Var> v) { return conv_transpose2d(v[0], v[1], v[2], options); },
                    {random_tensor({k.n, k.c, k.h, k.w}, seed), random_tensor({k.c, k.o_per_group, k.kh, k.kw}, seed + 1),
                     random_tensor({k.o_per_group * options.groups}, seed + 2)});
    seed += 3;
  }
}

TEST_CASE("conv_transpose2d: the shape of PyTorch's formula, and a hand-worked example") {
  Tape tape;
  // (H - 1) s - 2p + d (K - 1) + output_padding + 1: 7 -> 14 with K 4, s 2, p 1 (the decoder's)
  Var y = conv_transpose2d(tape.input(random_tensor({2, 3, 7, 7}, 1)), tape.input(random_tensor({3, 5, 4, 4}, 2)),
                           tape.input(random_tensor({5}, 3)), {.stride = {2, 2}, .padding = {1, 1}});
  CHECK(y.shape() == Shape{2, 5, 14, 14});
  // one pixel 2 spread by a 2x2 kernel with stride 2 onto a 2x2 patch, plus the bias
  Var z = conv_transpose2d(tape.input(Tensor::from_values({1, 1, 1, 1}, {2})),
                           tape.input(Tensor::from_values({1, 1, 2, 2}, {1, 2, 3, 4})),
                           tape.input(Tensor::from_values({1}, {0.5f})), {.stride = {2, 2}});
  check_values(std::vector<float>(z.data(), z.data() + 4), {2.5f, 4.5f, 6.5f, 8.5f});
}

TEST_CASE("pooling and upsampling: values") {
  Tape tape;
  Var x = tape.input(Tensor::from_values({1, 1, 3, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  Var avg = avg_pool2d(x, {2, 2});
  check_values(std::vector<float>(avg.data(), avg.data() + 2), {3.5f, 5.5f});
  Var max = max_pool2d(x, {2, 2}, {1, 2});
  REQUIRE(max.shape() == Shape{1, 1, 2, 2});
  check_values(std::vector<float>(max.data(), max.data() + 4), {6, 8, 10, 12});
  // padding 1 around a 3x4 image with 3x3 windows every 2: avg divides by 9 always
  Var padded_avg = avg_pool2d(x, {3, 3}, {2, 2}, {1, 1});
  REQUIRE(padded_avg.shape() == Shape{1, 1, 2, 2});
  check_values(std::vector<float>(padded_avg.data(), padded_avg.data() + 4),
               {(1 + 2 + 5 + 6) / 9.0f, (2 + 3 + 4 + 6 + 7 + 8) / 9.0f, (5 + 6 + 9 + 10) / 9.0f,
                (6 + 7 + 8 + 10 + 11 + 12) / 9.0f});
  Var padded_max = max_pool2d(tape.input(Tensor::from_values({1, 1, 2, 2}, {-5, -6, -7, -8})), {3, 3}, {1, 1}, {1, 1});
  check_values(std::vector<float>(padded_max.data(), padded_max.data() + 4), {-5, -5, -5, -5});  // padding never wins
  Var up = upsample2d(tape.input(Tensor::from_values({1, 1, 1, 2}, {1, 2})), {2, 3});
  REQUIRE(up.shape() == Shape{1, 1, 2, 6});
  check_values(std::vector<float>(up.data(), up.data() + 12), {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
}

TEST_CASE("pooling and upsampling: gradients on odd shapes") {
  for (int64_t batch : {1, 3}) {
    CAPTURE(batch);
    check_gradients([](std::span<const Var> v) { return avg_pool2d(v[0], {3, 2}, {2, 3}, {1, 1}); },
                    {random_tensor({batch, 2, 7, 8}, 500 + batch)});
    check_gradients([](std::span<const Var> v) { return upsample2d(v[0], {3, 2}); },
                    {random_tensor({batch, 1, 3, 5}, 510 + batch)});
    // distinct values 0.1 apart, |x| < 17, and steps of at most 0.017: the finite
    // differences never change which pixel is a window's maximum
    Tensor x({batch, 2, 7, 8});
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = 0.1f * static_cast<float>((i * 37) % x.numel() - x.numel() / 2);
    const GradcheckOptions small_steps{.step = 1e-3};
    check_gradients([](std::span<const Var> v) { return max_pool2d(v[0], {3, 2}, {2, 3}, {1, 1}); }, {x},
                    small_steps);
    check_gradients([](std::span<const Var> v) { return max_pool2d(v[0], {2, 2}); }, {x}, small_steps);
  }
}

TEST_CASE("max_pool2d: a tie sends the gradient to the first maximum in row-major order; NaN wins") {
  Parameter x("x", Tensor::from_values({1, 1, 2, 2}, {3, 7, 7, 1}));
  Tape tape;
  tape.backward(sum(max_pool2d(tape.param(x), {2, 2})));
  check_values(std::vector<float>(x.grad().data(), x.grad().data() + 4), {0, 1, 0, 0});
  Tape second;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Var y = max_pool2d(second.input(Tensor::from_values({1, 1, 2, 2}, {3, nan, 9, 1})), {2, 2});
  CHECK(std::isnan(y.item()));
  Tape third;
  Var all_minus_inf = max_pool2d(third.input(Tensor::from_values({1, 1, 1, 2}, {-kInf, -kInf})), {1, 2});
  CHECK(all_minus_inf.item() == -kInf);
}

TEST_CASE("convolution ops: shape errors name the op, the shapes and the parameter at fault") {
  Tape tape;
  Var image = tape.input(random_tensor({2, 3, 3, 3}, 1));
  Var w5 = tape.input(random_tensor({4, 3, 5, 5}, 2));
  CHECK(error_of([&] { conv2d(image, w5, Var()); }) == "conv2d: kernel 5x5 with padding 0x0 does not fit input 3x3");
  CHECK(error_of([&] { conv2d(image, tape.input(random_tensor({4, 2, 3, 3}, 3)), Var()); })
            .find("conv2d: weight [4,2,3,3] takes 2 channels per group, but the input [2,3,3,3] has 3") == 0);
  CHECK(error_of([&] { conv2d(image, tape.input(random_tensor({4, 3, 1, 1}, 4)), tape.input(random_tensor({3}, 5))); })
            .find("conv2d: bias [3] does not fit 4 output channels") == 0);
  CHECK(error_of([&] { conv2d(image, tape.input(random_tensor({4, 3, 1, 1}, 4)), Var(), {.stride = {0, 1}}); }) ==
        "conv2d: stride 0x1 must be at least 1 on each axis");
  CHECK(error_of([&] { conv2d(image, tape.input(random_tensor({4, 1, 1, 1}, 4)), Var(), {.groups = 2}); })
            .find("conv2d: groups 2 must divide the 3 input and the 4 output channels") == 0);
  CHECK(error_of([&] { conv2d(tape.input(random_tensor({3, 3}, 6)), w5, Var()); })
            .find("conv2d: input [3,3] is not a batch of images") == 0);
  CHECK(error_of([&] {
          conv_transpose2d(image, tape.input(random_tensor({3, 2, 2, 2}, 7)), Var(),
                           {.stride = {2, 2}, .output_padding = {2, 0}});
        }) == "conv_transpose2d: output padding 2x0 must be at least 0 and smaller than the stride 2x2");
  CHECK(error_of([&] { conv_transpose2d(image, tape.input(random_tensor({2, 2, 2, 2}, 8)), Var()); })
            .find("conv_transpose2d: weight [2,2,2,2] takes 2 input channels, but the input") == 0);
  CHECK(error_of([&] { max_pool2d(image, {2, 2}, {1, 1}, {2, 2}); }) ==
        "max_pool2d: padding 2x2 must be at most half the kernel 2x2");
  CHECK(error_of([&] { avg_pool2d(image, {4, 4}); }) == "avg_pool2d: kernel 4x4 with padding 0x0 does not fit input 3x3");
  CHECK(error_of([&] { upsample2d(image, {0, 2}); }) == "upsample2d: factor 0x2 must be at least 1x1");
}

namespace {

// conv2d with a wrong weight gradient: only the first image's contribution (a batch
// bug), to prove the gradient checks above would catch one.
Var conv2d_with_first_image_weight_gradient(Var x, Var weight) {
  const Shape xs = x.shape(), ws = weight.shape();
  kernels::Conv2dGeometry g{.batch = xs[0], .in_channels = xs[1], .in_height = xs[2], .in_width = xs[3],
                            .out_channels = ws[0], .kernel_height = ws[2], .kernel_width = ws[3]};
  Tape& tape = x.tape();
  Var y = tape.record("conv2d", Shape{g.batch, g.out_channels, g.out_height(), g.out_width()}, {x, weight});
  kernels::conv2d_forward_reference(tape.value_buffer(y), x.data(), weight.data(), nullptr, g);
  kernels::Conv2dGeometry* first_image = tape.scratch<kernels::Conv2dGeometry>(1);
  *first_image = g;
  first_image->batch = 1;
  tape.set_backward(y, [x, weight, y, first_image] {
    kernels::conv2d_backward_weight_reference(weight.grad(), nullptr, y.grad(), x.data(), *first_image);
  });
  return y;
}

}  // namespace

TEST_CASE("gradcheck catches a convolution whose weight gradient misses images") {
  GradcheckReport report = gradcheck(
      [](std::span<const Var> v) { return conv2d_with_first_image_weight_gradient(v[0], v[1]); },
      {random_tensor({3, 2, 5, 4}, 600), random_tensor({2, 2, 2, 3}, 601)});
  CHECK_FALSE(report.passed);
  REQUIRE(report.inputs.size() == 2);
  CHECK_FALSE(report.inputs[1].passed);
}
