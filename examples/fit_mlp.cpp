// fit_mlp: trains a two-hidden-layer MLP on a generated regression problem, using
// only aevb's public autodiff API, and shows its progress.
//
// The target is f(x) = sin(3 x0) cos(2 x1) + x0 x1 / 2 on [-1, 1]^2 with a little noise;
// the held-out loss tells whether the network learned the function, not the noise.
// Legend: N batch, D = 2 inputs, H hidden units.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

#include "autodiff/autodiff.h"
#include "examples/cli.h"

namespace {

struct Config {
  int epochs = 30;
  int64_t samples = 8192;
  int64_t batch = 128;
  int64_t hidden = 64;
  float learning_rate = 0.05f;
  float momentum = 0.9f;
  uint64_t seed = 1;
};

constexpr int64_t kInputs = 2;
constexpr float kNoiseStddev = 0.05f;

struct Dataset {
  aevb::Tensor x, y;  // [count, D], [count, 1]
};

Dataset make_dataset(int64_t count, aevb::Rng& rng) {
  Dataset data{aevb::Tensor::uniform({count, kInputs}, rng, -1, 1), aevb::Tensor({count, 1})};
  for (int64_t i = 0; i < count; ++i) {
    float x0 = data.x[i * kInputs], x1 = data.x[i * kInputs + 1];
    data.y[i] = std::sin(3 * x0) * std::cos(2 * x1) + 0.5f * x0 * x1 + rng.normal(0, kNoiseStddev);
  }
  return data;
}

struct Mlp {
  std::vector<aevb::Parameter> parameters;  // weight, bias per layer

  Mlp(const std::vector<int64_t>& sizes, aevb::Rng& rng) {
    for (size_t layer = 0; layer + 1 < sizes.size(); ++layer) {
      // Glorot-uniform weights keep tanh units out of saturation at the start.
      float limit = std::sqrt(6.0f / static_cast<float>(sizes[layer] + sizes[layer + 1]));
      std::string name = "layer" + std::to_string(layer);
      parameters.emplace_back(name + ".weight",
                              aevb::Tensor::uniform({sizes[layer], sizes[layer + 1]}, rng, -limit, limit));
      parameters.emplace_back(name + ".bias", aevb::Tensor::zeros({sizes[layer + 1]}));
    }
  }

  aevb::Var forward(aevb::Tape& tape, aevb::Var x) {
    size_t layers = parameters.size() / 2;
    for (size_t layer = 0; layer < layers; ++layer) {
      x = aevb::linear(x, tape.param(parameters[2 * layer]), tape.param(parameters[2 * layer + 1]));
      if (layer + 1 < layers) x = aevb::tanh(x);
    }
    return x;
  }
};

// Mean squared error of the model over a whole data set, without recording gradients.
float evaluate(Mlp& model, aevb::Tape& tape, const Dataset& data) {
  aevb::NoGradGuard no_grad;
  tape.clear();
  return aevb::mse(model.forward(tape, tape.input(data.x)), tape.input(data.y)).item();
}

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  return text;
}

void train(const Config& config) {
  aevb::Rng rng(config.seed);
  Dataset train = make_dataset(config.samples, rng), test = make_dataset(2048, rng);
  Mlp model({kInputs, config.hidden, config.hidden, 1}, rng);
  std::vector<aevb::Tensor> velocity;
  for (aevb::Parameter& p : model.parameters) velocity.push_back(aevb::Tensor::zeros(p.shape()));

  const bool terminal = isatty(fileno(stdout));
  const int64_t batches = config.samples / config.batch;
  aevb::Tape tape;
  std::vector<int64_t> order(static_cast<size_t>(config.samples));
  aevb::Tensor batch_x({config.batch, kInputs}), batch_y({config.batch, 1});
  std::printf("fit_mlp: %lld training samples, MLP %lld-%lld-%lld-1 (tanh), batch %lld, SGD lr %g momentum %g\n",
              static_cast<long long>(config.samples), static_cast<long long>(kInputs),
              static_cast<long long>(config.hidden), static_cast<long long>(config.hidden),
              static_cast<long long>(config.batch), config.learning_rate, config.momentum);
  std::printf("initial test loss %.5f (noise floor %.5f)\n", evaluate(model, tape, test), kNoiseStddev * kNoiseStddev);

  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    // Fisher-Yates with the run's generator: the same seed gives the same order.
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.next_u32() % (i + 1)]);
    double loss_sum = 0;
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t r = 0; r < config.batch; ++r) {
        int64_t source = order[static_cast<size_t>(b * config.batch + r)];
        for (int64_t d = 0; d < kInputs; ++d) batch_x[r * kInputs + d] = train.x[source * kInputs + d];
        batch_y[r] = train.y[source];
      }
      tape.clear();
      aevb::Var loss = aevb::mse(model.forward(tape, tape.input(batch_x)), tape.input(batch_y));
      for (aevb::Parameter& p : model.parameters) p.zero_grad();
      tape.backward(loss);
      // Checked before the update: a diverged run stops instead of training on NaN.
      if (!std::isfinite(loss.item()))
        aevb::fail("training diverged at epoch ", epoch, ", batch ", b + 1, ": the loss became ", loss.item(),
                   " (a smaller --lr, now ", config.learning_rate, ", may converge)");
      for (size_t k = 0; k < model.parameters.size(); ++k) {
        aevb::Parameter& p = model.parameters[k];
        for (int64_t i = 0; i < p.value().numel(); ++i) {
          velocity[k][i] = config.momentum * velocity[k][i] - config.learning_rate * p.grad()[i];
          p.value()[i] += velocity[k][i];
        }
      }
      loss_sum += loss.item();
      if (terminal && (b % 8 == 0 || b + 1 == batches)) {
        std::printf("\repoch %d/%d  batch %lld/%lld  loss %.5f", epoch, config.epochs, static_cast<long long>(b + 1),
                    static_cast<long long>(batches), loss_sum / static_cast<double>(b + 1));
        std::fflush(stdout);
      }
    }
    const auto now = std::chrono::steady_clock::now();
    double epoch_seconds = std::chrono::duration<double>(now - epoch_start).count();
    double elapsed = std::chrono::duration<double>(now - start).count();
    double left = elapsed / epoch * (config.epochs - epoch);
    std::printf("%sepoch %d/%d  train loss %.5f  test loss %.5f  %.0f samples/s  time left %s\n", terminal ? "\r" : "",
                epoch, config.epochs, loss_sum / static_cast<double>(batches), evaluate(model, tape, test),
                static_cast<double>(batches * config.batch) / epoch_seconds, format_seconds(left).c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{"Fits an MLP to a generated 2-D regression problem with aevb's autodiff"};
  app.add_option("--epochs", config.epochs, "passes over the training set")->check(CLI::Range(1, 100000));
  app.add_option("--samples", config.samples, "training samples")->check(CLI::Range(int64_t{128}, int64_t{10000000}));
  app.add_option("--batch", config.batch, "minibatch size")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  app.add_option("--hidden", config.hidden, "units per hidden layer")->check(CLI::Range(int64_t{1}, int64_t{4096}));
  app.add_option("--lr", config.learning_rate, "learning rate")->check(aevb::examples::finite_range(1e-6, 10));
  app.add_option("--seed", config.seed, "random seed")->check(aevb::examples::unsigned_64());
  if (int status = aevb::examples::parse_flags(app, argc, argv); status >= 0) return status;
  if (config.batch > config.samples) {
    std::cerr << "--batch " << config.batch << " is larger than --samples " << config.samples << "\n";
    return 2;
  }
  try {
    train(config);
  } catch (const std::exception& error) {
    std::cerr << "fit_mlp: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
