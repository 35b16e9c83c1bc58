// Broadcast shapes and strides, shared by every broadcasting op.
#include <algorithm>

#include "autodiff/ops/elementwise_op.h"

namespace aevb {
namespace {

// Element strides of `input` seen through `output`'s shape, padded to rank 4.
void broadcast_strides_of(int64_t strides[4], const Shape& input, const Shape& output) {
  int64_t stride = 1;
  for (int axis = 3; axis >= 0; --axis) {
    int input_axis = axis - (4 - input.rank());
    int64_t size = input_axis >= 0 ? input[input_axis] : 1;
    int output_axis = axis - (4 - output.rank());
    int64_t output_size = output_axis >= 0 ? output[output_axis] : 1;
    strides[axis] = (size == 1 && output_size != 1) ? 0 : stride;
    stride *= size;
  }
}

}  // namespace

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  int rank = std::max(a.rank(), b.rank());
  Shape result = a.rank() >= b.rank() ? a : b;
  for (int axis = 0; axis < rank; ++axis) {
    int a_axis = axis - (rank - a.rank()), b_axis = axis - (rank - b.rank());
    int64_t a_size = a_axis >= 0 ? a[a_axis] : 1, b_size = b_axis >= 0 ? b[b_axis] : 1;
    check(a_size == b_size || a_size == 1 || b_size == 1, op, ": shapes ", a, " and ", b, " do not broadcast");
    result = result.with_dim(axis, a_size == 1 ? b_size : a_size);
  }
  return result;
}

kernels::BroadcastStrides strides_for(const Shape& output, const Shape& a, const Shape& b) {
  kernels::BroadcastStrides s;
  for (int axis = 0; axis < 4; ++axis) {
    int output_axis = axis - (4 - output.rank());
    s.sizes[axis] = output_axis >= 0 ? output[output_axis] : 1;
  }
  broadcast_strides_of(s.a_strides, a, output);
  broadcast_strides_of(s.b_strides, b, output);
  return s;
}

}  // namespace aevb
