// Reductions. Reducing along an axis views x as [outer, count, inner] (kernels/reduce.h).
#include "autodiff/kernels/reduce.h"
#include "autodiff/ops.h"

namespace aevb {
namespace {

struct AxisView {
  int64_t outer = 1, count = 1, inner = 1;
  Shape result;  // with or without the reduced axis, as keepdim asks
};

AxisView view_along(const char* op, const Shape& shape, int axis, bool keepdim) {
  int resolved = shape.normalize_axis(op, axis);
  AxisView view;
  for (int i = 0; i < resolved; ++i) view.outer *= shape[i];
  view.count = shape[resolved];
  for (int i = resolved + 1; i < shape.rank(); ++i) view.inner *= shape[i];
  view.result = keepdim ? shape.with_dim(resolved, 1) : shape.without_dim(resolved);
  return view;
}

// y[o,i] = sum_k x[o,k,i];  dx[o,k,i] += dy[o,i]
Var sum_along(const char* op, Var x, const AxisView& v) {
  Tape& tape = x.tape();
  Var y = tape.record(op, v.result, {x});
  kernels::sum_axis(tape.value_buffer(y), x.data(), v.outer, v.count, v.inner);
  const int64_t outer = v.outer, count = v.count, inner = v.inner;
  tape.set_backward(y, [x, y, outer, count, inner] {
    kernels::accumulate_along_axis(x.grad(), y.grad(), 1.0f, outer, count, inner);
  });
  return y;
}

}  // namespace

Var sum(Var x) {
  AxisView all;
  all.count = x.numel();
  return sum_along("sum", x, all);  // result shape [] (rank 0)
}

Var sum(Var x, int axis, bool keepdim) { return sum_along("sum", x, view_along("sum", x.shape(), axis, keepdim)); }

// Means are sums scaled by 1/count: composed, no backward of their own.
Var mean(Var x) {
  check(x.numel() > 0, "mean: the input of shape ", x.shape(), " is empty");
  return mul(sum(x), 1.0f / static_cast<float>(x.numel()));
}

Var mean(Var x, int axis, bool keepdim) {
  AxisView v = view_along("mean", x.shape(), axis, keepdim);
  check(v.count > 0, "mean: axis ", axis, " of shape ", x.shape(), " is empty");
  return mul(sum_along("sum", x, v), 1.0f / static_cast<float>(v.count));  // the node holds the sum: name it so
}

// y = max_k x;  dx += dy at the first maximum
Var max(Var x, int axis, bool keepdim) {
  AxisView v = view_along("max", x.shape(), axis, keepdim);
  check(v.count > 0, "max: axis ", axis, " of shape ", x.shape(), " is empty");
  Tape& tape = x.tape();
  Var y = tape.record("max", v.result, {x});
  kernels::max_axis(tape.value_buffer(y), x.data(), v.outer, v.count, v.inner);
  const int64_t outer = v.outer, count = v.count, inner = v.inner;
  tape.set_backward(y, [x, y, outer, count, inner] {
    kernels::accumulate_max_axis(x.grad(), y.grad(), x.data(), y.data(), outer, count, inner);
  });
  return y;
}

// y = log sum_k exp(x) = max + log sum_exp;  dx += dy * exp(x - max) / sum_exp   (the softmax)
Var logsumexp(Var x, int axis, bool keepdim) {
  AxisView v = view_along("logsumexp", x.shape(), axis, keepdim);
  check(v.count > 0, "logsumexp: axis ", axis, " of shape ", x.shape(), " is empty");
  Tape& tape = x.tape();
  Var y = tape.record("logsumexp", v.result, {x});
  float* max = tape.scratch<float>(v.outer * v.inner);
  float* sum_exp = tape.scratch<float>(v.outer * v.inner);
  kernels::logsumexp_axis(tape.value_buffer(y), max, sum_exp, x.data(), v.outer, v.count, v.inner);
  const int64_t outer = v.outer, count = v.count, inner = v.inner;
  tape.set_backward(y, [x, y, max, sum_exp, outer, count, inner] {
    kernels::accumulate_logsumexp_axis(x.grad(), y.grad(), x.data(), max, sum_exp, outer, count, inner);
  });
  return y;
}

}  // namespace aevb
