// A training step in steady state makes no heap allocation: this binary replaces the
// global operator new to count every allocation, then runs MLP steps on one tape.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>

#include "autodiff/autodiff.h"
#include "tests/allocation_counter.h"

using aevb::testing::allocation_count;

using namespace aevb;

TEST_CASE("a steady-state training step allocates nothing") {
  Rng rng(1);
  const int64_t batch = 32, inputs = 10, hidden = 24, outputs = 3;
  Parameter w1("w1", Tensor::normal({inputs, hidden}, rng, 0, 0.3f)), b1("b1", Tensor::zeros({hidden}));
  Parameter w2("w2", Tensor::normal({hidden, outputs}, rng, 0, 0.3f)), b2("b2", Tensor::zeros({outputs}));
  Tensor x = Tensor::normal({batch, inputs}, rng), target = Tensor::normal({batch, outputs}, rng);
  Parameter* parameters[] = {&w1, &b1, &w2, &b2};
  Tape tape;

  auto step = [&] {
    tape.clear();
    Var h = tanh(linear(tape.input(x), tape.param(w1), tape.param(b1)));
    Var logits = linear(h, tape.param(w2), tape.param(b2));
    // A spread of ops, so the count covers more than one kind of node.
    Var loss = add(mse(logits, tape.input(target)), mean(softplus(concat(std::array<Var, 2>{logits, logits}, 1))));
    for (Parameter* p : parameters) p->zero_grad();
    tape.backward(loss);
    for (Parameter* p : parameters)
      for (int64_t i = 0; i < p->value().numel(); ++i) p->value()[i] -= 0.05f * p->grad()[i];
    return loss.item();
  };

  for (int warm_up = 0; warm_up < 3; ++warm_up) step();
  long before = allocation_count.load();
  float last = 0;
  for (int s = 0; s < 20; ++s) last = step();
  long during = allocation_count.load() - before;
  CHECK(during == 0);
  CHECK(std::isfinite(last));
  // And the counter does count: a new tensor allocates.
  before = allocation_count.load();
  Tensor fresh({4});
  CHECK(allocation_count.load() > before);
}
