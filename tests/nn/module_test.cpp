// Tests for nn/module.cpp, nn/layers.cpp and nn/init.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "autodiff/autodiff.h"
#include "nn/nn.h"

using namespace aevb;
using namespace aevb::nn;

namespace {
// A two-level model: names must come out hierarchical.
class Encoder : public Module {
 public:
  explicit Encoder(Rng& rng) : hidden_(4, 3, rng), mean_(3, 2, rng) {
    register_module("hidden", hidden_);
    register_module("mean", mean_);
  }
  Linear hidden_, mean_;
};
class Model : public Module {
 public:
  explicit Model(Rng& rng) : encoder_(rng) {
    register_module("encoder", encoder_);
    scale_ = &register_parameter("scale", Tensor::ones({1}));
  }
  Encoder encoder_;
  Parameter* scale_;
};
}  // namespace

TEST_CASE("modules name parameters hierarchically, count and zero them") {
  Rng rng(1);
  Model model(rng);
  std::vector<std::string> names;
  for (const NamedParameter& named : model.named_parameters()) names.push_back(named.name);
  CHECK(names == std::vector<std::string>{"scale", "encoder.hidden.weight", "encoder.hidden.bias",
                                          "encoder.mean.weight", "encoder.mean.bias"});
  CHECK(model.parameter_count() == 1 + 4 * 3 + 3 + 3 * 2 + 2);
  model.encoder_.hidden_.weight().grad().fill(2);
  model.zero_grad();
  CHECK(model.encoder_.hidden_.weight().grad()[0] == 0);
}

TEST_CASE("train and eval mode reach every child") {
  Rng rng(1);
  Model model(rng);
  CHECK(model.encoder_.hidden_.training());
  model.eval();
  CHECK_FALSE(model.encoder_.hidden_.training());
  model.train();
  CHECK(model.encoder_.mean_.training());
}

TEST_CASE("duplicate and malformed names are refused") {
  class Bad : public Module {
   public:
    void add(const std::string& name) { register_parameter(name, Tensor::zeros({1})); }
  } bad;
  bad.add("w");
  CHECK_THROWS_WITH_AS(bad.add("w"), "Module: the name 'w' is already taken by a parameter", Error);
  CHECK_THROWS_WITH_AS(bad.add("a.b"),
                       "Module: name 'a.b' must be non-empty and without '.' (dots join hierarchical names)", Error);
}

TEST_CASE("Linear computes x W + b") {
  Rng rng(2);
  Linear layer(2, 3, rng);
  layer.bias().value() = Tensor::from_values({3}, {1, 2, 3});
  Tape tape;
  Var y = layer(tape.input(Tensor::from_values({1, 2}, {1, -1})));
  const Tensor& w = layer.weight().value();
  for (int64_t j = 0; j < 3; ++j) CHECK(y.data()[j] == doctest::Approx(w.at({0, j}) - w.at({1, j}) + (j + 1)));
}

TEST_CASE("make_mlp builds named layers and applies the activation between them") {
  Rng rng(3);
  auto mlp = make_mlp({5, 8, 8, 2}, Activation::relu, rng);
  std::vector<std::string> names;
  for (const NamedParameter& named : mlp->named_parameters()) names.push_back(named.name);
  CHECK(names == std::vector<std::string>{"hidden1.weight", "hidden1.bias", "hidden2.weight", "hidden2.bias",
                                          "output.weight", "output.bias"});
  CHECK(mlp->size() == 3);  // three linear layers, the activations fused into the first two
  Tape tape;
  const Tensor x = Tensor::ones({4, 5});
  Var y = (*mlp)(tape.input(x));
  CHECK(y.shape() == Shape{4, 2});
  // The same as unfused layers: linear, then the activation op.
  auto& hidden1 = dynamic_cast<Linear&>(*mlp->layers()[0]);
  auto& hidden2 = dynamic_cast<Linear&>(*mlp->layers()[1]);
  auto& output = dynamic_cast<Linear&>(*mlp->layers()[2]);
  CHECK(hidden1.activation() == Activation::relu);
  CHECK(output.activation() == Activation::identity);  // the output layer stays linear
  auto unfused = [&tape](Linear& layer, Var in) {
    return linear(in, tape.param(layer.weight()), tape.param(layer.bias()));
  };
  Var expected = unfused(output, relu(unfused(hidden2, relu(unfused(hidden1, tape.input(x))))));
  for (int64_t i = 0; i < 8; ++i) CHECK(y.data()[i] == doctest::Approx(expected.data()[i]).epsilon(1e-6));
  // The choices listed are kernels/activation.h's, identity left out.
  const std::vector<std::string> choices = activation_names();
  CHECK(choices.front() == "relu");
  CHECK(std::find(choices.begin(), choices.end(), "identity") == choices.end());
  CHECK(choices.size() + 1 == kernels::kAllActivations.size());
  CHECK_THROWS_WITH_AS(parse_activation("gelu"), ("unknown activation 'gelu': expected " + or_list(choices)).c_str(),
                       Error);
  CHECK(or_list({"relu", "tanh", "elu"}) == "relu, tanh or elu");
  for (const std::string& name : choices) CHECK(to_string(parse_activation(name)) == name);
}

TEST_CASE("the same seed builds the same model") {
  Rng first(7), second(7);
  auto a = make_mlp({3, 4, 1}, Activation::tanh, first), b = make_mlp({3, 4, 1}, Activation::tanh, second);
  auto pa = a->parameters(), pb = b->parameters();
  for (size_t p = 0; p < pa.size(); ++p)
    for (int64_t i = 0; i < pa[p]->value().numel(); ++i) CHECK(pa[p]->value()[i] == pb[p]->value()[i]);
}

TEST_CASE("initializers have the variances they promise") {
  const int64_t fan_in = 400, fan_out = 200;
  auto variance = [](const Tensor& t) {
    double sum = 0, squares = 0;
    for (float v : t.values()) {
      sum += v;
      squares += static_cast<double>(v) * v;
    }
    double mean = sum / t.numel();
    return squares / t.numel() - mean * mean;
  };
  struct Case {
    Init init;
    double expected;
  };
  for (Case c : {Case{Init::glorot_uniform, 2.0 / (fan_in + fan_out)},
                 Case{Init::glorot_normal, 2.0 / (fan_in + fan_out)}, Case{Init::he_uniform, 2.0 / fan_in},
                 Case{Init::he_normal, 2.0 / fan_in}, Case{Init::torch_uniform, 1.0 / (3.0 * fan_in)}}) {
    CAPTURE(to_string(c.init));
    Rng rng(11);
    Tensor w({fan_in, fan_out});
    initialize(w, c.init, rng);
    // 80,000 draws: the sample variance is within about 1.6% (3 standard errors of a
    // normal's variance estimate, sqrt(2/n) = 0.5%).
    CHECK(variance(w) == doctest::Approx(c.expected).epsilon(0.016));
  }
  Rng rng(1);
  Tensor bias({3});
  CHECK_THROWS_WITH_AS(glorot_uniform(bias, rng), "glorot_uniform: weight shape [3] is not [fan_in, fan_out]", Error);
  CHECK_THROWS_WITH_AS(parse_init("xavier"),
                       "unknown initializer 'xavier': expected glorot_uniform, glorot_normal, he_uniform, he_normal, "
                       "torch_uniform or zeros",
                       Error);
}

TEST_CASE("Dropout: zeroes about p of the values in train mode, scales the rest, is the identity in eval") {
  Dropout dropout(0.25f, 5);
  Tape tape;
  Var y = dropout(tape.input(Tensor::ones({100, 100})));
  int64_t zeros = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    CHECK((y.data()[i] == 0.0f || y.data()[i] == doctest::Approx(1 / 0.75f)));
    zeros += y.data()[i] == 0.0f;
  }
  // 10,000 Bernoulli(0.25) draws: standard deviation 43; allow 5 of them.
  CHECK(std::abs(zeros - 2500) < 5 * 43);
  CHECK(std::string(tape.node_at(1).op) == "noise");
  dropout.eval();
  Var x = tape.input(Tensor::ones({2}));
  CHECK(dropout(x).index() == x.index());
  CHECK_THROWS_WITH_AS(Dropout(1.0f, 0), "Dropout: probability 1 is outside [0, 1)", Error);
}

TEST_CASE("FrozenScope: gradients reach the input, not the frozen weights, and the setting comes back") {
  Rng rng(3);
  Linear layer(3, 2, rng);
  layer.weight().set_requires_grad(true);
  Parameter code("z", Tensor::from_values({1, 3}, {0.5f, -1.0f, 2.0f}));
  {
    FrozenScope frozen(layer);
    CHECK_FALSE(layer.weight().requires_grad());
    Tape tape;
    Var loss = sum(layer.forward(tape.param(code)));
    tape.backward(loss);
    // d sum(z W + b) / dz_i = sum_j W_ij; the weights' gradients stay zero.
    for (int64_t i = 0; i < 3; ++i)
      CHECK(code.grad()[i] == doctest::Approx(layer.weight().value()[2 * i] + layer.weight().value()[2 * i + 1]));
    for (float g : layer.weight().grad().values()) CHECK(g == 0.0f);
    for (float g : layer.bias().grad().values()) CHECK(g == 0.0f);
  }
  CHECK(layer.weight().requires_grad());
  CHECK(layer.bias().requires_grad());
  Tape tape;
  tape.backward(sum(layer.forward(tape.param(code))));
  CHECK(layer.bias().grad()[0] == 1.0f);
}
