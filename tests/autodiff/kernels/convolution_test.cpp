// Tests for autodiff/kernels/convolution.cpp: the im2col fast path against the
// reference loops on every instruction set this machine runs, at the op tests' odd
// shapes and at the convolutional VAE's (several chunks per batch); the same bits at
// 1, 2 and 3 threads; accumulate versus overwrite.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autodiff/kernels/convolution.h"
#include "tests/autodiff/kernels/kernel_test_helpers.h"

using namespace aevb;
using namespace aevb::testing;
using kernels::Conv2dGeometry;

namespace {

std::vector<Conv2dGeometry> geometries() {
  return {
      {.batch = 1, .in_channels = 1, .in_height = 5, .in_width = 7, .out_channels = 2, .kernel_height = 3,
       .kernel_width = 2},
      {.batch = 3, .in_channels = 2, .in_height = 7, .in_width = 6, .out_channels = 3, .kernel_height = 2,
       .kernel_width = 3, .stride_height = 2, .stride_width = 2, .padding_height = 1, .padding_width = 1},
      {.batch = 2, .in_channels = 3, .in_height = 9, .in_width = 8, .out_channels = 2, .kernel_height = 3,
       .kernel_width = 3, .stride_height = 3, .stride_width = 2, .padding_height = 2, .padding_width = 1},
      {.batch = 1, .in_channels = 2, .in_height = 8, .in_width = 9, .out_channels = 4, .kernel_height = 3,
       .kernel_width = 2, .padding_height = 1, .dilation_height = 2, .dilation_width = 2, .groups = 2},
      // the convolutional VAE's encoder layers at batch 24: more than one chunk each
      {.batch = 24, .in_channels = 1, .in_height = 28, .in_width = 28, .out_channels = 32, .kernel_height = 4,
       .kernel_width = 4, .stride_height = 2, .stride_width = 2, .padding_height = 1, .padding_width = 1},
      {.batch = 24, .in_channels = 32, .in_height = 14, .in_width = 14, .out_channels = 64, .kernel_height = 4,
       .kernel_width = 4, .stride_height = 2, .stride_width = 2, .padding_height = 1, .padding_width = 1},
  };
}

struct Results {
  std::vector<float> y, dx, dweight, dbias;
};

// The three products on fixed random operands; dx and the weight's gradients start
// from nonzero values to test that they accumulate.
Results run(const Conv2dGeometry& g, bool reference) {
  const std::vector<float> x = random_values(g.input_size(), 1), weight = random_values(g.weight_size(), 2),
                           bias = random_values(g.out_channels, 3), dy = random_values(g.output_size(), 4);
  Results r{std::vector<float>(static_cast<size_t>(g.output_size())), random_values(g.input_size(), 5),
            random_values(g.weight_size(), 6), random_values(g.out_channels, 7)};
  std::vector<float> workspace(static_cast<size_t>(kernels::conv2d_workspace_floats(g)));
  if (reference) {
    kernels::conv2d_forward_reference(r.y.data(), x.data(), weight.data(), bias.data(), g);
    kernels::conv2d_backward_input_reference(r.dx.data(), dy.data(), weight.data(), g);
    kernels::conv2d_backward_weight_reference(r.dweight.data(), r.dbias.data(), dy.data(), x.data(), g);
  } else {
    kernels::conv2d_forward(r.y.data(), x.data(), weight.data(), bias.data(), g, workspace.data());
    kernels::conv2d_backward_input(r.dx.data(), dy.data(), weight.data(), g, workspace.data());
    kernels::conv2d_backward_weight(r.dweight.data(), r.dbias.data(), dy.data(), x.data(), g, workspace.data());
  }
  return r;
}

// Sums of up to a few thousand products in another order: relative to the size of the
// terms, not of the result (which may cancel).
void check_near(const std::vector<float>& actual, const std::vector<float>& expected, double scale) {
  REQUIRE(actual.size() == expected.size());
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) worst = std::max(worst, std::fabs(double{actual[i]} - expected[i]));
  CHECK(worst <= 1e-5 * scale);
}

}  // namespace

TEST_CASE("conv2d kernels: the fast path matches the reference loops on every instruction set") {
  KernelSettingsGuard guard;
  for (kernels::Isa isa : kernels::supported_isas()) {
    kernels::set_isa(isa);
    CAPTURE(kernels::isa_name(isa));
    for (const Conv2dGeometry& g : geometries()) {
      CAPTURE(g.in_channels);
      CAPTURE(g.in_height);
      kernels::set_isa(kernels::Isa::scalar);
      const Results expected = run(g, true);
      kernels::set_isa(isa);
      const Results actual = run(g, false);
      const double terms = static_cast<double>(g.column_length());
      check_near(actual.y, expected.y, terms);
      check_near(actual.dx, expected.dx, static_cast<double>(g.out_channels * g.kernel_height * g.kernel_width));
      const double per_weight = static_cast<double>(g.batch * g.out_height() * g.out_width());
      check_near(actual.dweight, expected.dweight, per_weight);
      check_near(actual.dbias, expected.dbias, per_weight);
    }
  }
}

TEST_CASE("conv2d kernels: the same bits at 1, 2 and 3 threads") {
  KernelSettingsGuard guard;
  for (kernels::Isa isa : kernels::supported_isas()) {
    kernels::set_isa(isa);
    CAPTURE(kernels::isa_name(isa));
    for (const Conv2dGeometry& g : geometries()) {
      kernels::set_thread_count(1);
      const Results one = run(g, isa == kernels::Isa::scalar);
      for (int threads : {2, 3}) {
        kernels::set_thread_count(threads);
        const Results many = run(g, isa == kernels::Isa::scalar);
        CHECK(many.y == one.y);
        CHECK(many.dx == one.dx);
        CHECK(many.dweight == one.dweight);
        CHECK(many.dbias == one.dbias);
      }
    }
  }
}

TEST_CASE("conv2d kernels: accumulate adds to y, overwrite ignores what dx held (NaN included)") {
  const Conv2dGeometry g = geometries()[1];
  const std::vector<float> x = random_values(g.input_size(), 1), weight = random_values(g.weight_size(), 2),
                           dy = random_values(g.output_size(), 4);
  std::vector<float> workspace(static_cast<size_t>(kernels::conv2d_workspace_floats(g)));
  std::vector<float> y(static_cast<size_t>(g.output_size())), y_twice(y.size(), 0.0f);
  kernels::conv2d_forward(y.data(), x.data(), weight.data(), nullptr, g, workspace.data());
  kernels::conv2d_forward(y_twice.data(), x.data(), weight.data(), nullptr, g, workspace.data(), true);
  kernels::conv2d_forward(y_twice.data(), x.data(), weight.data(), nullptr, g, workspace.data(), true);
  for (size_t i = 0; i < y.size(); ++i) CHECK(y_twice[i] == 2 * y[i]);
  std::vector<float> dx(static_cast<size_t>(g.input_size()), std::nanf("")), dx_zero(dx.size(), 0.0f);
  kernels::conv2d_backward_input(dx.data(), dy.data(), weight.data(), g, workspace.data(), false);
  kernels::conv2d_backward_input(dx_zero.data(), dy.data(), weight.data(), g, workspace.data(), true);
  CHECK(dx == dx_zero);
}

TEST_CASE("conv2d kernels: a chunk's size depends on the shapes alone") {
  const Conv2dGeometry g = geometries()[5];
  KernelSettingsGuard guard;
  kernels::set_thread_count(1);
  const int64_t one = kernels::conv2d_chunk_images(g);
  kernels::set_thread_count(2);
  CHECK(kernels::conv2d_chunk_images(g) == one);
  CHECK(one >= 1);
  CHECK(one < g.batch);  // this shape runs in several chunks
}

TEST_CASE("conv2d kernels: the combined backward gives the separate products' bits") {
  KernelSettingsGuard guard;
  for (kernels::Isa isa : kernels::supported_isas()) {
    kernels::set_isa(isa);
    CAPTURE(kernels::isa_name(isa));
    for (const Conv2dGeometry& g : geometries()) {
      const Results separate = run(g, isa == kernels::Isa::scalar);
      const std::vector<float> x = random_values(g.input_size(), 1), weight = random_values(g.weight_size(), 2),
                               dy = random_values(g.output_size(), 4);
      std::vector<float> dx = random_values(g.input_size(), 5), dweight = random_values(g.weight_size(), 6),
                         dbias = random_values(g.out_channels, 7);
      std::vector<float> workspace(static_cast<size_t>(kernels::conv2d_workspace_floats(g)));
      kernels::conv2d_backward(dx.data(), dweight.data(), dbias.data(), dy.data(), x.data(), weight.data(), g,
                               workspace.data());
      CHECK(dx == separate.dx);
      CHECK(dweight == separate.dweight);
      CHECK(dbias == separate.dbias);
    }
  }
}

TEST_CASE("conv2d kernels: the forward and weight gradient on shared columns give the separate products' bits") {
  KernelSettingsGuard guard;
  for (kernels::Isa isa : kernels::supported_isas()) {
    kernels::set_isa(isa);
    CAPTURE(kernels::isa_name(isa));
    for (const Conv2dGeometry& g : geometries()) {
      const std::vector<float> x = random_values(g.input_size(), 1), weight = random_values(g.weight_size(), 2),
                               dy = random_values(g.output_size(), 4);
      std::vector<float> workspace(static_cast<size_t>(kernels::conv2d_workspace_floats(g)));
      // Both start from nonzero values: both accumulate.
      std::vector<float> y_separate = random_values(g.output_size(), 8), dweight_separate = random_values(g.weight_size(), 6);
      kernels::conv2d_forward(y_separate.data(), x.data(), weight.data(), nullptr, g, workspace.data(), true);
      kernels::conv2d_backward_weight(dweight_separate.data(), nullptr, dy.data(), x.data(), g, workspace.data());
      std::vector<float> y = random_values(g.output_size(), 8), dweight = random_values(g.weight_size(), 6);
      kernels::conv2d_forward_and_backward_weight(y.data(), dweight.data(), x.data(), dy.data(), weight.data(), g,
                                                  workspace.data());
      CHECK(y == y_separate);
      CHECK(dweight == dweight_separate);
      // Either alone.
      std::vector<float> y_only = random_values(g.output_size(), 8);
      kernels::conv2d_forward_and_backward_weight(y_only.data(), nullptr, x.data(), dy.data(), weight.data(), g,
                                                  workspace.data());
      CHECK(y_only == y_separate);
      std::vector<float> dweight_only = random_values(g.weight_size(), 6);
      kernels::conv2d_forward_and_backward_weight(nullptr, dweight_only.data(), x.data(), dy.data(), weight.data(), g,
                                                  workspace.data());
      CHECK(dweight_only == dweight_separate);
    }
  }
}
