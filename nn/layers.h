// Layers: Linear, activations, Dropout, Sequential, and an MLP builder.
// Legend: N batch, I inputs, O outputs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/kernels/activation.h"
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
