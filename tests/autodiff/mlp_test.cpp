// A 2-layer MLP built only from the public API learns a regression at least 10x better.
#include <doctest/doctest.h>

#include <cmath>

#include "autodiff/autodiff.h"

using namespace aevb;

TEST_CASE("a 2-layer MLP reduces its regression loss at least 10x") {
  // Data: y = sin(2 x0) + x1^2 / 2 on [-1.5, 1.5]^2.
  Rng rng(42);
  const int64_t count = 256, hidden = 32;
  Tensor x = Tensor::uniform({count, 2}, rng, -1.5f, 1.5f), y({count, 1});
  for (int64_t i = 0; i < count; ++i) y[i] = std::sin(2 * x[2 * i]) + 0.5f * x[2 * i + 1] * x[2 * i + 1];

  Parameter w1("w1", Tensor::normal({2, hidden}, rng, 0, 1.0f)), b1("b1", Tensor::zeros({hidden}));
  Parameter w2("w2", Tensor::normal({hidden, 1}, rng, 0, 1.0f / std::sqrt(static_cast<float>(hidden))));
  Parameter b2("b2", Tensor::zeros({1}));
  Parameter* parameters[] = {&w1, &b1, &w2, &b2};

  Tape tape;
  auto loss_now = [&] {
    tape.clear();
    Var prediction =
        linear(tanh(linear(tape.input(x), tape.param(w1), tape.param(b1))), tape.param(w2), tape.param(b2));
    return mse(prediction, tape.input(y));
  };
  const float initial = loss_now().item();
  // Plain gradient descent with momentum: the optimizers arrive with nn/.
  std::vector<Tensor> velocity;
  for (Parameter* p : parameters) velocity.push_back(Tensor::zeros(p->shape()));
  float final_loss = initial;
  for (int step = 0; step < 2000; ++step) {
    Var loss = loss_now();
    final_loss = loss.item();
    for (Parameter* p : parameters) p->zero_grad();
    tape.backward(loss);
    for (size_t k = 0; k < 4; ++k)
      for (int64_t i = 0; i < parameters[k]->value().numel(); ++i) {
        velocity[k][i] = 0.9f * velocity[k][i] - 0.05f * parameters[k]->grad()[i];
        parameters[k]->value()[i] += velocity[k][i];
      }
  }
  INFO("initial loss " << initial << ", final loss " << final_loss);
  CHECK(final_loss * 10 < initial);
}
