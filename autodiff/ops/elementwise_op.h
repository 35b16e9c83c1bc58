// How an elementwise op records itself: the op supplies its formula and derivative,
// this records the node, runs the forward kernel and attaches the backward. Public:
// a new elementwise op (a distribution's cdf, say) is one call, with its derivative
// beside it, and needs a gradcheck test like every op.
#pragma once

#include "autodiff/kernels/broadcast.h"
#include "autodiff/kernels/elementwise.h"
#include "autodiff/kernels/vector_math.h"
#include "autodiff/tape.h"

namespace aevb {

// y = forward(x) over the whole array at once;  dx += derivative(dy, x, y)
// forward(y, x, count) is a whole-array kernel: the vectorized math of
// kernels/vector_math.h (exp, log, tanh, sigmoid, ...).
template <class ArrayForward, class Derivative>
Var unary_array_op(const char* name, Var x, ArrayForward forward, Derivative derivative) {
  Tape& tape = x.tape();
  Var y = tape.record(name, x.shape(), {x});
  forward(tape.value_buffer(y), x.data(), x.numel());
  tape.set_backward(y, [x, y, derivative] {
    kernels::accumulate_unary(x.grad(), y.grad(), x.data(), y.data(), x.numel(), derivative);
  });
  return y;
}

// y = forward(x), one element at a time;  dx += derivative(dy, x, y)
template <class Forward, class Derivative>
Var unary_op(const char* name, Var x, Forward forward, Derivative derivative) {
  return unary_array_op(
      name, x, [forward](float* y, const float* v, int64_t count) { kernels::map(y, v, count, forward); }, derivative);
}

// The shape of broadcasting a with b, or an error naming `op` and both shapes.
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b);
// How to walk `output` while reading a and b through it (kernels/broadcast.h).
kernels::BroadcastStrides strides_for(const Shape& output, const Shape& a, const Shape& b);

// y = forward(a, b);  da += derivative_a(dy, a, b, y);  db += derivative_b(dy, a, b, y)
template <class Forward, class DerivativeA, class DerivativeB>
Var binary_op(const char* name, Var a, Var b, Forward forward, DerivativeA derivative_a, DerivativeB derivative_b) {
  Tape& tape = a.tape();
  Shape shape = broadcast_shape(name, a.shape(), b.shape());
  Var y = tape.record(name, shape, {a, b});
  kernels::broadcast_map2(tape.value_buffer(y), a.data(), b.data(), strides_for(shape, a.shape(), b.shape()), forward);
  tape.set_backward(y, [a, b, y, derivative_a, derivative_b] {
    // Recomputed rather than captured: the strides are cheap and the closure stays small.
    kernels::BroadcastStrides strides = strides_for(y.shape(), a.shape(), b.shape());
    if (a.requires_grad())
      kernels::broadcast_accumulate_a(a.grad(), y.grad(), a.data(), b.data(), y.data(), strides, derivative_a);
    if (b.requires_grad())
      kernels::broadcast_accumulate_b(b.grad(), y.grad(), a.data(), b.data(), y.data(), strides, derivative_b);
  });
  return y;
}


}  // namespace aevb
