#include "nn/layers.h"

#include <cmath>

#include "autodiff/ops.h"

namespace aevb::nn {

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (Activation a : kernels::kAllActivations)
    if (a != Activation::identity) names.emplace_back(kernels::activation_name(a));
  return names;
}

Activation parse_activation(const std::string& name) {
  for (Activation a : kernels::kAllActivations)
    if (a != Activation::identity && name == kernels::activation_name(a)) return a;
  fail("unknown activation '", name, "': expected ", or_list(activation_names()));
}

const char* to_string(Activation activation) { return kernels::activation_name(activation); }

Var ActivationLayer::forward(Var x) {
  ModuleScope scope(&path());
  return activate(x, activation_);
}

Init default_init(Activation activation) {
  bool rectifier = false;
  kernels::with_activation(activation, [&]<class F>() { rectifier = F::rectifier; });
  return rectifier ? Init::he_uniform : Init::glorot_uniform;
}

Linear::Linear(int64_t inputs, int64_t outputs, Rng& rng, Init init, Activation activation)
    : weight_(register_parameter("weight", Tensor::zeros({inputs, outputs}))),
      bias_(register_parameter("bias", Tensor::zeros({outputs}))),
      activation_(activation) {
  check(inputs > 0 && outputs > 0, "Linear: sizes ", inputs, " -> ", outputs, " must be positive");
  initialize(weight_.value(), init, rng);
  if (init == Init::torch_uniform) {  // PyTorch draws the bias from the weight's range too
    const float bound = 1.0f / std::sqrt(static_cast<float>(inputs));
    rng.fill_uniform(bias_.value().data(), outputs, -bound, bound);
  }
}

Var Linear::forward(Var x) {
  ModuleScope scope(&path());
  Tape& tape = x.tape();
  return linear(x, tape.param(weight_), tape.param(bias_), activation_);
}

namespace {

// PyTorch's start for a layer's bias: U(-1/sqrt(fan-in), 1/sqrt(fan-in)) under torch_uniform.
void draw_bias(Parameter& bias, Init init, double fan_in, Rng& rng) {
  if (init != Init::torch_uniform) return;
  const float bound = static_cast<float>(1.0 / std::sqrt(fan_in));
  rng.fill_uniform(bias.value().data(), bias.value().numel(), -bound, bound);
}

// A convolution's weight [A, B / groups, KH, KW], zero, once its shape is checked: A and
// B are the output and input channels for Conv2d, the other way round for ConvTranspose2d.
Tensor kernel_zeros(const char* layer, const Conv2dShape& shape, int64_t groups, int64_t leading, int64_t grouped) {
  check(shape.in_channels > 0 && shape.out_channels > 0 && shape.kernel.height > 0 && shape.kernel.width > 0, layer,
        ": channels ", shape.in_channels, " -> ", shape.out_channels, " and kernel ", shape.kernel.height, "x",
        shape.kernel.width, " must be positive");
  check(groups >= 1 && shape.in_channels % groups == 0 && shape.out_channels % groups == 0, layer, ": groups ", groups,
        " must divide the ", shape.in_channels, " input and ", shape.out_channels, " output channels");
  return Tensor::zeros({leading, grouped / groups, shape.kernel.height, shape.kernel.width});
}

// PyTorch's fans of a convolution's weight [A, B, KH, KW]: fan-in B KH KW, fan-out
// A KH KW (a transposed convolution's too, from its weight as it is laid out).
void initialize_kernel(Parameter& weight, Parameter& bias, Init init, Rng& rng) {
  const Shape& shape = weight.shape();
  const double area = static_cast<double>(shape[2] * shape[3]);
  const double fan_in = static_cast<double>(shape[1]) * area;
  initialize(weight.value(), init, rng, {fan_in, static_cast<double>(shape[0]) * area});
  draw_bias(bias, init, fan_in, rng);
}

}  // namespace

Conv2d::Conv2d(Conv2dShape shape, Conv2dOptions options, Rng& rng, Init init)
    : weight_(register_parameter("weight", kernel_zeros("Conv2d", shape, options.groups, shape.out_channels,
                                                        shape.in_channels))),
      bias_(register_parameter("bias", Tensor::zeros({shape.out_channels}))),
      options_(options) {
  initialize_kernel(weight_, bias_, init, rng);
}

Var Conv2d::forward(Var x) {
  ModuleScope scope(&path());
  Tape& tape = x.tape();
  return conv2d(x, tape.param(weight_), tape.param(bias_), options_);
}

ConvTranspose2d::ConvTranspose2d(Conv2dShape shape, ConvTranspose2dOptions options, Rng& rng, Init init)
    : weight_(register_parameter("weight", kernel_zeros("ConvTranspose2d", shape, options.groups, shape.in_channels,
                                                        shape.out_channels))),
      bias_(register_parameter("bias", Tensor::zeros({shape.out_channels}))),
      options_(options) {
  initialize_kernel(weight_, bias_, init, rng);
}

Var ConvTranspose2d::forward(Var x) {
  ModuleScope scope(&path());
  Tape& tape = x.tape();
  return conv_transpose2d(x, tape.param(weight_), tape.param(bias_), options_);
}

Var Flatten::forward(Var x) {
  const Shape shape = x.shape();
  check(shape.rank() >= 1, "Flatten: input ", shape, " has no batch axis");
  ModuleScope scope(&path());
  return reshape(x, Shape{shape[0], shape[0] == 0 ? 0 : shape.numel() / shape[0]});
}

Unflatten::Unflatten(int64_t channels, int64_t height, int64_t width)
    : channels_(channels), height_(height), width_(width) {
  check(channels > 0 && height > 0 && width > 0, "Unflatten: sizes ", channels, "x", height, "x", width,
        " must be positive");
}

Var Unflatten::forward(Var x) {
  const Shape shape = x.shape();
  check(shape.rank() == 2 && shape[1] == channels_ * height_ * width_, "Unflatten: input ", shape, " is not [N, ",
        channels_ * height_ * width_, "] (", channels_, "x", height_, "x", width_, ")");
  ModuleScope scope(&path());
  return reshape(x, Shape{shape[0], channels_, height_, width_});
}

Dropout::Dropout(float drop_probability, uint64_t seed) : drop_probability_(drop_probability), rng_(seed) {
  check(drop_probability >= 0.0f && drop_probability < 1.0f, "Dropout: probability ", drop_probability,
        " is outside [0, 1)");
}

Var Dropout::forward(Var x) {
  if (!training() || drop_probability_ == 0.0f) return x;
  ModuleScope scope(&path());
  Tape& tape = x.tape();
  Var mask = tape.noise(x.shape());
  float* keep = tape.value_buffer(mask);
  const float kept_scale = 1.0f / (1.0f - drop_probability_);
  for (int64_t i = 0; i < x.numel(); ++i) keep[i] = rng_.uniform() < drop_probability_ ? 0.0f : kept_scale;
  return mul(x, mask);
}

Var Sequential::forward(Var x) {
  for (Layer* layer : layers_) x = layer->forward(x);
  return x;
}

std::unique_ptr<Sequential> make_mlp(const std::vector<int64_t>& sizes, Activation activation, Rng& rng,
                                     const MlpOptions& options) {
  check(sizes.size() >= 2, "make_mlp: needs at least an input and an output size, got ", sizes.size(), " sizes");
  auto mlp = std::make_unique<Sequential>();
  const size_t layers = sizes.size() - 1;
  for (size_t i = 0; i < layers; ++i) {
    bool last = i + 1 == layers;
    std::string name = last ? "output" : "hidden" + std::to_string(i + 1);
    const bool activated = !last || options.activate_output;
    mlp->add(name,
             std::make_unique<Linear>(sizes[i], sizes[i + 1], rng, options.init.value_or(default_init(activation)),
                                      activated ? activation : Activation::identity));
  }
  return mlp;
}

}  // namespace aevb::nn
