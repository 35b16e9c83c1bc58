// The differentiable ops of aevb, one line each. Every op checks its inputs and throws
// aevb::Error naming itself and the shapes; each is defined, with its derivative beside
// it, in the file named in the section heading.
#pragma once

#include <span>

#include "autodiff/kernels/activation.h"
#include "autodiff/tape.h"

namespace aevb {

// --- binary, broadcasting rank <= 4 numpy-style (ops/binary.cpp) -------------------
Var add(Var a, Var b);                   // a + b
Var sub(Var a, Var b);                   // a - b
Var mul(Var a, Var b);                   // a * b
Var div(Var a, Var b);                   // a / b
Var maximum(Var a, Var b);               // elementwise max; a tie splits the gradient evenly
Var minimum(Var a, Var b);               // elementwise min; a tie splits the gradient evenly
Var add(Var x, float c);                 // x + c
Var sub(Var x, float c);                 // x - c
Var mul(Var x, float c);                 // c * x
Var div(Var x, float c);                 // x / c
Var pow(Var x, float exponent);          // x^exponent (NaN for x < 0 and a non-integer exponent)

// --- unary (ops/unary.cpp) ------------------------------------------------------------
Var neg(Var x);                          // -x
Var exp(Var x);                          // e^x
Var log(Var x);                          // natural log; -inf at 0, NaN below
Var log1p(Var x);                        // log(1 + x), accurate near 0
Var expm1(Var x);                        // e^x - 1, accurate near 0
Var sqrt(Var x);                         // square root
Var square(Var x);                       // x^2
Var abs(Var x);                          // |x|; gradient 0 at 0
Var relu(Var x);                         // max(x, 0); gradient 0 at 0
Var leaky_relu(Var x, float slope = 0.01f);  // x for x >= 0, slope * x below; slope > 0
Var elu(Var x, float alpha = 1.0f);      // x for x > 0, alpha * (e^x - 1) below; alpha > 0
Var sigmoid(Var x);                      // 1 / (1 + e^-x), exact 0 and 1 at -inf and +inf
Var log_sigmoid(Var x);                  // log(sigmoid(x)), stable for large |x|
Var tanh(Var x);                         // hyperbolic tangent
Var softplus(Var x);                     // log(1 + e^x), stable for large |x|
Var activate(Var x, kernels::Activation activation);  // the op above of that name; identity: x itself
Var clamp(Var x, float low, float high); // min(max(x, low), high); gradient passes on [low, high]

// --- special functions (ops/special.cpp) ----------------------------------------------
Var lgamma(Var x);                       // log |Gamma(x)|
Var digamma(Var x);                      // d/dx lgamma(x); NaN at the poles 0, -1, -2, ...
Var kumaraswamy_log1m_mean(Var a, Var b);  // E[log(1 - Z)], Z ~ Kumaraswamy(a, b); a, b > 0

// --- linear algebra (ops/matmul.cpp) --------------------------------------------------
struct MatmulOptions {
  bool transpose_a = false;  // use a^T, read in place (a stored [K,M])
  bool transpose_b = false;  // use b^T, read in place (b stored [N,K])
};
Var matmul(Var a, Var b, MatmulOptions options = {});  // op(a)[M,K] op(b)[K,N] -> [M,N]
Var linear(Var x, Var weight, Var bias);               // x[N,I] weight[I,O] + bias[O] -> [N,O]
// f(x W + b) in one op and one pass: f is applied in the product's store (kernels/gemm.h).
// f: identity, relu, leaky_relu (slope 0.01), elu (alpha 1), tanh, sigmoid or softplus,
// the same formulas as the ops of those names.
Var linear(Var x, Var weight, Var bias, kernels::Activation activation);

// --- images, NCHW: convolution, pooling, upsampling (ops/convolution.cpp) ---------------
struct Size2d {
  int64_t height = 1, width = 1;
};
struct Conv2dOptions {
  Size2d stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;  // channels in G independent groups; G divides C and O
};
// x [N, C, H, W], weight [O, C/G, KH, KW], bias [O] (an empty Var: none) -> [N, O, OH, OW],
// OH = (H + 2 padding - dilation (KH - 1) - 1) / stride + 1 (zero padding), as PyTorch's
Var conv2d(Var x, Var weight, Var bias, Conv2dOptions options = {});
struct ConvTranspose2dOptions {
  Size2d stride{1, 1}, padding{0, 0}, output_padding{0, 0}, dilation{1, 1};  // output_padding < stride
  int64_t groups = 1;
};
// conv2d's input gradient as a layer: x [N, C, H, W], weight [C, O/G, KH, KW], bias [O]
// -> [N, O, (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1, ...]
Var conv_transpose2d(Var x, Var weight, Var bias, ConvTranspose2dOptions options = {});
// Windows of `kernel` every `stride` (0x0: the kernel, windows side by side), padding at
// most half the kernel. avg counts padding as zeros (divides by KH KW); max's gradient
// goes to the first maximum of each window in row-major order.
Var avg_pool2d(Var x, Size2d kernel, Size2d stride = {0, 0}, Size2d padding = {0, 0});
Var max_pool2d(Var x, Size2d kernel, Size2d stride = {0, 0}, Size2d padding = {0, 0});
Var upsample2d(Var x, Size2d factor);                   // nearest: [N, C, H, W] -> [N, C, H fh, W fw]

// --- reductions (ops/reduce.cpp) --------------------------------------------------------
Var sum(Var x);                                         // all elements -> shape []
Var sum(Var x, int axis, bool keepdim = false);         // along one axis (negative counts from the end)
Var mean(Var x);                                        // all elements -> shape []
Var mean(Var x, int axis, bool keepdim = false);
Var max(Var x, int axis, bool keepdim = false);         // gradient to the first maximum
Var logsumexp(Var x, int axis, bool keepdim = false);   // log sum exp, stable; -inf when all are -inf

// --- shape (ops/shape.cpp) ----------------------------------------------------------------
Var reshape(Var x, const Shape& shape);                 // same values, same count, new shape
Var transpose(Var x);                                   // [M,N] -> [N,M]
Var concat(std::span<const Var> parts, int axis);       // join along an axis; other sizes must agree
Var slice(Var x, int axis, int64_t start, int64_t length);  // a contiguous range along an axis
Var broadcast_to(Var x, const Shape& shape);            // repeat along size-1 axes

// --- losses, elementwise (reduce with sum or mean) (ops/loss.cpp) -------------------------
Var bce_with_logits(Var logits, Var targets);           // -t log sigmoid(l) - (1-t) log sigmoid(-l)
Var gaussian_nll(Var x, Var mean, Var log_variance);    // -log N(x; mean, exp(log_variance))
Var mse(Var prediction, Var target);                    // mean((prediction - target)^2) -> shape []

// --- operators --------------------------------------------------------------------------
inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }
inline Var operator/(Var a, Var b) { return div(a, b); }
inline Var operator-(Var x) { return neg(x); }
inline Var operator+(Var x, float c) { return add(x, c); }
inline Var operator+(float c, Var x) { return add(x, c); }
inline Var operator-(Var x, float c) { return sub(x, c); }
inline Var operator-(float c, Var x) { return add(neg(x), c); }
inline Var operator*(Var x, float c) { return mul(x, c); }
inline Var operator*(float c, Var x) { return mul(x, c); }
inline Var operator/(Var x, float c) { return div(x, c); }

}  // namespace aevb
