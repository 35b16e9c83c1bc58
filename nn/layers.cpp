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
