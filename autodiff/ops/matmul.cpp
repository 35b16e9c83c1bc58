// Matrix products. Legend: M rows of the result, N its columns, K the inner size;
// for linear, N the batch, I the inputs, O the outputs.
#include <array>
#include <string>

#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/reduce.h"
#include "autodiff/ops.h"

namespace aevb {

namespace {

// dX += op(A) op(B), all of dX: stored instead when it is dX's first contribution, so
// that nothing zeroes it first (tape.h).
void gemm_into_gradient(Var x, const float* a, const float* b, int64_t m, int64_t n, int64_t k,
                        kernels::Transposed transposed = {}) {
  const GradientTarget target = x.grad_target();
  kernels::gemm_into(target.values, target.accumulate, a, b, m, n, k, transposed);
}

}  // namespace

// C = op(A) op(B), op the identity or a transpose read in place.
//   dA += dC op(B)^T   (stored transposed when A is: dA^T += op(B) dC^T)
//   dB += op(A)^T dC   (stored transposed when B is: dB^T += dC^T op(A))
Var matmul(Var a, Var b, MatmulOptions options) {
  const Shape a_shape = a.shape(), b_shape = b.shape();
  check(a_shape.rank() == 2 && b_shape.rank() == 2, "matmul: shapes ", a_shape, " and ", b_shape,
        " must both be matrices (rank 2)");
  const bool transpose_a = options.transpose_a, transpose_b = options.transpose_b;
  const int64_t m = transpose_a ? a_shape[1] : a_shape[0];
  const int64_t k = transpose_a ? a_shape[0] : a_shape[1];
  const int64_t n = transpose_b ? b_shape[0] : b_shape[1];
  const int64_t k_of_b = transpose_b ? b_shape[1] : b_shape[0];
  check(k == k_of_b, "matmul: shapes ", a_shape, (transpose_a ? "^T" : ""), " and ", b_shape,
        (transpose_b ? "^T" : ""), " do not chain: inner sizes ", k, " and ", k_of_b);

  Tape& tape = a.tape();
  Var c = tape.record("matmul", Shape{m, n}, {a, b});
  kernels::gemm_store(tape.value_buffer(c), a.data(), b.data(), m, n, k, {.a = transpose_a, .b = transpose_b});
  tape.set_backward(c, [a, b, c, m, n, k, transpose_a, transpose_b] {
    if (a.requires_grad()) {
      if (!transpose_a)
        gemm_into_gradient(a, c.grad(), b.data(), m, k, n, {.b = !transpose_b});
      else
        gemm_into_gradient(a, b.data(), c.grad(), k, m, n, {.a = transpose_b, .b = true});
    }
    if (b.requires_grad()) {
      if (!transpose_b)
        gemm_into_gradient(b, a.data(), c.grad(), k, n, m, {.a = !transpose_a});
      else
        gemm_into_gradient(b, c.grad(), a.data(), n, k, m, {.a = true, .b = transpose_a});
    }
  });
  return c;
}

namespace {

// The op's name in the tape's printouts: "linear", "linear+relu", ... (static storage:
// the tape keeps the pointer)
const char* fused_linear_name(kernels::Activation activation) {
  static const auto names = [] {
    std::array<std::string, kernels::AllActivations::size> all;
    for (kernels::Activation a : kernels::kAllActivations)
      all[static_cast<std::size_t>(a)] =
          a == kernels::Activation::identity ? "linear" : std::string("linear+") + kernels::activation_name(a);
    return all;
  }();
  return names[static_cast<std::size_t>(activation)].c_str();
}

}  // namespace

Var linear(Var x, Var weight, Var bias) { return linear(x, weight, bias, kernels::Activation::identity); }

// y = f(x W + b), one op so a layer costs one node, and one pass over y: the gemm adds
// the bias and applies f as it stores each tile.
//   dpre = dy f'(.), written in terms of y (kernels/activation.h)
//   dx += dpre W^T;  dW += x^T dpre;  db += column sums of dpre
Var linear(Var x, Var weight, Var bias, kernels::Activation activation) {
  const Shape x_shape = x.shape(), w_shape = weight.shape(), b_shape = bias.shape();
  check(x_shape.rank() == 2 && w_shape.rank() == 2 && b_shape.rank() == 1 && x_shape[1] == w_shape[0] &&
            b_shape[0] == w_shape[1],
        "linear: shapes x ", x_shape, ", weight ", w_shape, ", bias ", b_shape,
        " do not fit x[N,I] weight[I,O] bias[O]");
  check(kernels::activation_name(activation) != nullptr, "linear: activation ", static_cast<int>(activation),
        " is not one of kernels::Activation's");
  const int64_t batch = x_shape[0], inputs = x_shape[1], outputs = w_shape[1];

  Tape& tape = x.tape();
  Var y = tape.record(fused_linear_name(activation), Shape{batch, outputs}, {x, weight, bias});
  kernels::linear_forward(tape.value_buffer(y), x.data(), weight.data(), bias.data(), batch, inputs, outputs,
                          activation);
  // The gradient before f, in arena memory taken now so that backward allocates nothing.
  float* dpre = activation != kernels::Activation::identity && y.requires_grad()
                    ? tape.scratch<float>(batch * outputs)
                    : nullptr;
  tape.set_backward(y, [x, weight, bias, y, batch, inputs, outputs, activation, dpre] {
    const float* dy = y.grad();
    if (dpre != nullptr) {
      kernels::activation_backward(dpre, y.grad(), y.data(), batch * outputs, activation);
      dy = dpre;
    }
    if (x.requires_grad())
      gemm_into_gradient(x, dy, weight.data(), batch, inputs, outputs, {.b = true});  // dx += dpre W^T
    if (weight.requires_grad())
      gemm_into_gradient(weight, x.data(), dy, inputs, outputs, batch, {.a = true});  // dW += x^T dpre
    if (bias.requires_grad()) kernels::accumulate_column_sums(bias.grad(), dy, batch, outputs);
  });
  return y;
}

}  // namespace aevb
