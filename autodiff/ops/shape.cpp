// Shape ops: they move values, so their backward moves gradients the opposite way.
#include <vector>

#include "autodiff/kernels/elementwise.h"
#include "autodiff/kernels/layout.h"
#include "autodiff/ops.h"
#include "autodiff/ops/elementwise_op.h"

namespace aevb {
namespace {
int64_t product_of_sizes(const Shape& shape, int from, int to) {
  int64_t product = 1;
  for (int axis = from; axis < to; ++axis) product *= shape[axis];
  return product;
}
}  // namespace

// y = x with a new shape (same memory);  dx += dy
Var reshape(Var x, const Shape& shape) {
  check(shape.numel() == x.numel(), "reshape: cannot reshape ", x.shape(), " (", x.numel(), " values) to ", shape,
        " (", shape.numel(), " values)");
  Tape& tape = x.tape();
  Var y = tape.record_view("reshape", shape, x);
  tape.set_backward(y, [x, y] { kernels::accumulate(x.grad(), y.grad(), x.numel()); });
  return y;
}

// y[j,i] = x[i,j];  dx[i,j] += dy[j,i]
Var transpose(Var x) {
  check(x.shape().rank() == 2, "transpose: shape ", x.shape(), " is not a matrix (rank 2)");
  const int64_t rows = x.shape()[0], columns = x.shape()[1];
  Tape& tape = x.tape();
  Var y = tape.record("transpose", Shape{columns, rows}, {x});
  kernels::transpose(tape.value_buffer(y), x.data(), rows, columns);
  tape.set_backward(y, [x, y, rows, columns] { kernels::accumulate_transpose(x.grad(), y.grad(), rows, columns); });
  return y;
}

// y = [x_0 | x_1 | ...] along `axis`;  each dx_p += its block of dy
Var concat(std::span<const Var> parts, int axis) {
  check(!parts.empty(), "concat: no inputs");
  const Shape first = parts[0].shape();  // a copy: recording may move the node list
  int resolved = first.normalize_axis("concat", axis);
  int64_t total = 0;
  for (const Var& part : parts) {
    const Shape& shape = part.shape();
    bool fits = shape.rank() == first.rank();
    for (int i = 0; fits && i < first.rank(); ++i) fits = i == resolved || shape[i] == first[i];
    check(fits, "concat: shapes ", first, " and ", shape, " differ outside axis ", axis);
    total += shape[resolved];
  }
  Tape& tape = parts[0].tape();
  const int32_t count = static_cast<int32_t>(parts.size());
  Var y = tape.record("concat", first.with_dim(resolved, total), parts.data(), count);
  const int64_t outer = product_of_sizes(first, 0, resolved),
                inner = product_of_sizes(first, resolved + 1, first.rank());
  float* y_values = tape.value_buffer(y);
  int64_t offset = 0;
  for (const Var& part : parts) {
    int64_t block = part.shape()[resolved] * inner;
    kernels::copy_rows(y_values + offset, total * inner, part.data(), block, outer, block);
    offset += block;
  }
  // The closure keeps the parts in the arena, as it must hold any number of them.
  Var* saved_parts = tape.scratch<Var>(count);
  std::copy(parts.begin(), parts.end(), saved_parts);
  tape.set_backward(y, [saved_parts, count, y, resolved, outer, inner, total] {
    int64_t offset = 0;
    for (int32_t p = 0; p < count; ++p) {
      int64_t block = saved_parts[p].shape()[resolved] * inner;
      if (saved_parts[p].requires_grad())
        kernels::accumulate_rows(saved_parts[p].grad(), block, y.grad() + offset, total * inner, outer, block);
      offset += block;
    }
  });
  return y;
}

// y = x[..., start : start + length, ...] along `axis`;  dx[that range] += dy
Var slice(Var x, int axis, int64_t start, int64_t length) {
  const Shape shape = x.shape();
  int resolved = shape.normalize_axis("slice", axis);
  check(start >= 0 && length >= 0 && start + length <= shape[resolved], "slice: range [", start, ", ",
        start + length, ") is outside axis ", axis, " of shape ", shape);
  const int64_t outer = product_of_sizes(shape, 0, resolved),
                inner = product_of_sizes(shape, resolved + 1, shape.rank());
  const int64_t x_row = shape[resolved] * inner, y_row = length * inner, first = start * inner;
  Tape& tape = x.tape();
  Var y = tape.record("slice", shape.with_dim(resolved, length), {x});
  kernels::copy_rows(tape.value_buffer(y), y_row, x.data() + first, x_row, outer, y_row);
  tape.set_backward(y, [x, y, outer, x_row, y_row, first] {
    kernels::accumulate_rows(x.grad() + first, x_row, y.grad(), y_row, outer, y_row);
  });
  return y;
}

// y = x repeated along its size-1 (or missing) axes;  dx += dy summed over them
Var broadcast_to(Var x, const Shape& shape) {
  check(broadcast_shape("broadcast_to", x.shape(), shape) == shape, "broadcast_to: shape ", x.shape(),
        " cannot be broadcast to ", shape);
  Tape& tape = x.tape();
  Var y = tape.record("broadcast_to", shape, {x});
  kernels::broadcast_map2(tape.value_buffer(y), x.data(), x.data(), strides_for(shape, x.shape(), x.shape()),
                          [](float v, float) { return v; });
  tape.set_backward(y, [x, y] {
    kernels::broadcast_accumulate_a(x.grad(), y.grad(), x.data(), x.data(), y.data(),
                                    strides_for(y.shape(), x.shape(), x.shape()),
                                    [](float dy, float, float, float) { return dy; });
  });
  return y;
}

}  // namespace aevb
