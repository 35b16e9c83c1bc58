// The formulas of kernels/vector_math.h as generic functors, written once for xsimd
// batches (tanh, sigmoid and softplus are the activations' own, kernels/activation.h),
// and the driver that runs them over an array (internal: included by the ISA
// translation units, each with its own flags).
#pragma once

#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/activation.h"

namespace aevb::kernels {
namespace {  // internal linkage: each ISA translation unit has its own copy

// xsimd's exp returns inf from 88.38 on, below where float overflows (88.72): there,
// e^x = e^(x-1) * e, with x - 1 exact.
struct ExpFormula {
  template <class B> B operator()(B x) const {
    const auto near_overflow = x > B(88.0f);
    const B y = xsimd::exp(xsimd::select(near_overflow, x - B(1.0f), x));
    return xsimd::select(near_overflow, y * B(2.71828182845904524f), y);
  }
};
struct LogFormula {
  template <class B> B operator()(B x) const { return xsimd::log(x); }
};
struct Log1pFormula {
  template <class B> B operator()(B x) const { return xsimd::log1p(x); }
};
// An activation's forward (kernels/activation.h) as a formula for map_batches.
template <class F>
struct ForwardOf {
  template <class B> B operator()(B x) const { return F::forward(x); }
};

// x[0 .. valid) in a batch whose other lanes hold `fill`.
template <class Batch>
Batch load_padded(const float* x, int64_t valid, float fill) {
  alignas(64) float padded[Batch::size];
  for (int64_t j = 0; j < static_cast<int64_t>(Batch::size); ++j) padded[j] = j < valid ? x[j] : fill;
  return Batch::load_aligned(padded);
}

// The first `valid` lanes of v to y.
template <class Batch>
void store_partial(float* y, const Batch& v, int64_t valid) {
  alignas(64) float lanes[Batch::size];
  v.store_aligned(lanes);
  for (int64_t j = 0; j < valid; ++j) y[j] = lanes[j];
}

// y[i] = f(x[i]) over whole batches; the last partial batch goes through a padded
// buffer so that every element is computed by the same code.
template <class Arch, class Formula>
void map_batches(float* y, const float* x, int64_t count) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr int64_t W = Batch::size;
  const Formula formula;
  int64_t i = 0;
  for (; i + W <= count; i += W) formula(Batch::load_unaligned(x + i)).store_unaligned(y + i);
  if (i == count) return;
  alignas(64) float tail[W] = {};
  for (int64_t j = i; j < count; ++j) tail[j - i] = x[j];
  formula(Batch::load_aligned(tail)).store_aligned(tail);
  for (int64_t j = i; j < count; ++j) y[j] = tail[j - i];
}

}  // namespace
}  // namespace aevb::kernels
