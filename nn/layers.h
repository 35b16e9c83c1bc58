// Layers: Linear, convolutions, flatten and unflatten, activations, Dropout, Sequential,
// and an MLP builder.
// Legend: N batch, I inputs, O outputs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/kernels/activation.h"
#include "autodiff/ops.h"
#include "nn/init.h"
#include "nn/module.h"

namespace aevb::nn {

// The engine's activations (kernels/activation.h), one enum for layers and kernels.
using Activation = kernels::Activation;
// The nonlinearities a program's --activation offers (all but identity), in order.
std::vector<std::string> activation_names();
// One of those by name; throws listing them.
Activation parse_activation(const std::string& name);
const char* to_string(Activation activation);  // kernels::activation_name
// The initializer that keeps activations' variance steady through this nonlinearity:
// he_uniform for the rectifiers, glorot_uniform for the others.
Init default_init(Activation activation);

// y[N,O] = f(x[N,I] weight[I,O] + bias[O]), f applied in the same op, in the product's
// store (ops' fused linear); identity by default.
class Linear : public Layer {
 public:
  Linear(int64_t inputs, int64_t outputs, Rng& rng, Init init = Init::glorot_uniform,
         Activation activation = Activation::identity);
  Var forward(Var x) override;
  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }
  Activation activation() const { return activation_; }

 private:
  Parameter& weight_;
  Parameter& bias_;
  Activation activation_;
};

// Convolutions on images [N, C, H, W] (ops.h's conv2d and conv_transpose2d), with a
// bias per output channel. The weight is drawn by `init` with PyTorch's fans (fan-in
// C/G x KH x KW for Conv2d, O/G x KH x KW for ConvTranspose2d), and with
// torch_uniform the bias too, from U(-1/sqrt(fan-in), 1/sqrt(fan-in)), as PyTorch's
// layers start; otherwise the bias starts at zero.
struct Conv2dShape {
  int64_t in_channels, out_channels;
  Size2d kernel;
};
class Conv2d : public Layer {
 public:
  Conv2d(Conv2dShape shape, Conv2dOptions options, Rng& rng, Init init = Init::torch_uniform);
  Var forward(Var x) override;  // [N, C, H, W] -> [N, O, OH, OW]
  Parameter& weight() { return weight_; }  // [O, C/G, KH, KW]
  Parameter& bias() { return bias_; }      // [O]
  const Conv2dOptions& options() const { return options_; }

 private:
  Parameter& weight_;
  Parameter& bias_;
  Conv2dOptions options_;
};

class ConvTranspose2d : public Layer {
 public:
  ConvTranspose2d(Conv2dShape shape, ConvTranspose2dOptions options, Rng& rng, Init init = Init::torch_uniform);
  Var forward(Var x) override;  // [N, C, H, W] -> [N, O, (H - 1) s - 2p + d (KH - 1) + output padding + 1, ...]
  Parameter& weight() { return weight_; }  // [C, O/G, KH, KW]
  Parameter& bias() { return bias_; }      // [O]
  const ConvTranspose2dOptions& options() const { return options_; }

 private:
  Parameter& weight_;
  Parameter& bias_;
  ConvTranspose2dOptions options_;
};

// [N, ...] -> [N, product of the rest] (a reshape: no copy)
class Flatten : public Layer {
 public:
  Var forward(Var x) override;
};
// [N, C H W] -> [N, C, H, W]
class Unflatten : public Layer {
 public:
  Unflatten(int64_t channels, int64_t height, int64_t width);
  Var forward(Var x) override;
  int64_t channels() const { return channels_; }
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }

 private:
  int64_t channels_, height_, width_;
};

class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(Activation activation) : activation_(activation) {}
  Var forward(Var x) override;  // the op of that name (ops.h's activate)
  Activation activation() const { return activation_; }

 private:
  Activation activation_;
};

// In train mode each value is zeroed with probability p and the rest scaled by
// 1 / (1 - p), so the expected output equals the input; in eval mode y = x.
// The mask is a noise leaf on the tape, drawn from this layer's own seeded generator.
class Dropout : public Layer {
 public:
  Dropout(float drop_probability, uint64_t seed);
  Var forward(Var x) override;
  Rng& rng() { return rng_; }

 private:
  float drop_probability_;
  Rng rng_;
};

class Sequential : public Layer {
 public:
  template <class L>
  L& add(const std::string& name, std::unique_ptr<L> layer) {
    L& added = adopt(name, std::move(layer));
    layers_.push_back(&added);
    return added;
  }
  Var forward(Var x) override;
  size_t size() const { return layers_.size(); }
  const std::vector<Layer*>& layers() const { return layers_; }

 private:
  std::vector<Layer*> layers_;
};

struct MlpOptions {
  bool activate_output = false;     // the output layer applies the activation too
  std::optional<Init> init;         // none: default_init(activation)
};
// Linear layers of the given sizes with `activation` between them: sizes {784, 400, 20}
// gives hidden1 (784->400, then the activation, fused into the layer) and output
// (400->20, activated too with options.activate_output). Weights use options.init, or
// the initializer suited to the activation; biases start at zero unless the
// initializer draws them (torch_uniform).
std::unique_ptr<Sequential> make_mlp(const std::vector<int64_t>& sizes, Activation activation, Rng& rng,
                                     const MlpOptions& options = {});

}  // namespace aevb::nn
