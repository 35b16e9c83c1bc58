// An MLP classifier built from nn/ learns two interleaved spirals (not linearly
// separable) to at least 97% training accuracy.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "autodiff/autodiff.h"
#include "nn/nn.h"

using namespace aevb;
using namespace aevb::nn;

TEST_CASE("an MLP separates two spirals") {
  const int64_t per_class = 200, classes = 2;
  Rng rng(2024);
  Tensor x({per_class * classes, 2}), targets({per_class * classes, classes});
  std::vector<int> labels;
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t i = 0; i < per_class; ++i) {
      // Radius grows with the angle; the second spiral is the first turned by pi.
      double t = 0.25 + 3.0 * std::numbers::pi * static_cast<double>(i) / per_class;
      double angle = t + std::numbers::pi * static_cast<double>(c);
      int64_t row = c * per_class + i;
      x[2 * row] = static_cast<float>(t / 10 * std::cos(angle) + rng.normal(0, 0.01f));
      x[2 * row + 1] = static_cast<float>(t / 10 * std::sin(angle) + rng.normal(0, 0.01f));
      targets[row * classes + c] = 1;
      labels.push_back(static_cast<int>(c));
    }

  auto model = make_mlp({2, 64, 64, classes}, Activation::tanh, rng);
  Adam adam(model->named_parameters(), {.learning_rate = 0.01f});
  Tape tape;
  double accuracy_now = 0;
  for (int step = 0; step < 1500; ++step) {
    tape.clear();
    Var logits = (*model)(tape.input(x));
    Var loss = cross_entropy_with_logits(logits, tape.input(targets));
    adam.zero_grad();
    tape.backward(loss);
    adam.step();
    accuracy_now = accuracy(logits, labels);
  }
  INFO("training accuracy " << accuracy_now);
  CHECK(accuracy_now >= 0.97);
}

TEST_CASE("cross_entropy_with_logits: value and gradient") {
  Tape tape;
  Var logits = tape.input(Tensor::from_values({2, 3}, {1, 2, 3, 0, 0, 0}));
  Var loss = cross_entropy_with_logits(logits, tape.input(Tensor::from_values({2, 3}, {0, 0, 1, 1, 0, 0})));
  double row0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3, row1 = std::log(3.0);
  CHECK(loss.item() == doctest::Approx((row0 + row1) / 2));
  GradcheckReport report = gradcheck(
      [](std::span<const Var> v) {
        return cross_entropy_with_logits(v[0],
                                         v[0].tape().input(Tensor::from_values({2, 3}, {0.2f, 0.3f, 0.5f, 1, 0, 0})));
      },
      {Tensor::from_values({2, 3}, {0.1f, -0.4f, 1.2f, 0.7f, 0.3f, -1.1f})});
  INFO(report.to_string());
  CHECK(report.passed);
}
