// Tests for autodiff/tape.cpp: accumulation, the defined errors, NoGradGuard, depth,
// the lazy zeros.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "autodiff/autodiff.h"
#include "autodiff/inspect.h"
#include "models/vae.h"

using namespace aevb;

TEST_CASE("a default Var is no value: defined() says so") {
  Tape tape;
  CHECK_FALSE(Var().defined());
  CHECK(tape.input(Tensor::ones({2})).defined());
}

TEST_CASE("a value used twice receives both gradient contributions") {
  Parameter x("x", Tensor::from_values({1}, {3}));
  Tape tape;
  Var v = tape.param(x);
  tape.backward(sum(mul(v, v)));  // d(x^2)/dx = 2x through two uses of v
  CHECK(x.grad()[0] == 6);
}

TEST_CASE("parameter gradients accumulate across backward calls until zeroed") {
  Parameter x("x", Tensor::from_values({2}, {1, 2}));
  Tape tape;
  for (int call = 0; call < 3; ++call) {
    tape.clear();
    tape.backward(sum(mul(tape.param(x), 2.0f)));
  }
  CHECK(x.grad()[0] == 6);
  x.zero_grad();
  CHECK(x.grad()[0] == 0);
}

TEST_CASE("intermediate gradients are readable after backward") {
  Parameter x("x", Tensor::from_values({2}, {1, 2}));
  Tape tape;
  Var h = mul(tape.param(x), 3.0f);
  Var loss = sum(square(h));
  CHECK(h.grad() == nullptr);  // not before backward
  tape.backward(loss);
  CHECK(h.grad()[0] == 6);  // d/dh sum(h^2) = 2h = 6
  CHECK(h.grad()[1] == 12);
}

TEST_CASE("a second backward over the same recording is an error") {
  Parameter x("x", Tensor::ones({1}));
  Tape tape;
  Var loss = sum(tape.param(x));
  tape.backward(loss);
  CHECK_THROWS_WITH_AS(tape.backward(loss),
                       "backward: this recording was already differentiated; clear() the tape and record the step "
                       "again (gradients of parameters keep accumulating until zero_grad)",
                       Error);
  CHECK(x.grad()[0] == 1);  // nothing was added by the refused call
}

TEST_CASE("backward of a non-scalar is an error naming the shape") {
  Parameter x("x", Tensor::ones({2, 3}));
  Tape tape;
  Var y = exp(tape.param(x));
  CHECK_THROWS_WITH_AS(tape.backward(y),
                       "backward: the loss must hold one value, but exp #1 has shape [2,3]; reduce it with sum or "
                       "mean first",
                       Error);
}

TEST_CASE("backward of a value that depends on no parameter is an error") {
  Tape tape;
  Var y = sum(tape.input(Tensor::ones({2})));
  CHECK_THROWS_AS(tape.backward(y), Error);
}

TEST_CASE("a Var from a cleared recording cannot be used") {
  Tape tape;
  Var old = tape.input(Tensor::ones({2}));
  tape.clear();
  CHECK_THROWS_WITH_AS(exp(old),
                       "Var #0 comes from a cleared recording (generation 1, tape now at 2): record the step again "
                       "after clear()",
                       Error);
  CHECK_THROWS_AS(old.item(), Error);
  Var empty;
  CHECK_THROWS_WITH_AS(empty.shape(), "Var: use of an empty Var (default-constructed, never assigned)", Error);
}

TEST_CASE("values from two tapes cannot meet in one op") {
  Tape first, second;
  Var a = first.input(Tensor::ones({2})), b = second.input(Tensor::ones({2}));
  CHECK_THROWS_WITH_AS(add(a, b), "add: input 1 belongs to another tape", Error);
}

TEST_CASE("NoGradGuard: ops inside record no gradient links") {
  Parameter x("x", Tensor::ones({2}));
  Tape tape;
  Var kept = mul(tape.param(x), 2.0f);
  Var detached;
  {
    NoGradGuard no_grad;
    CHECK_FALSE(grad_enabled());
    detached = mul(tape.param(x), 2.0f);
    CHECK_FALSE(detached.requires_grad());
    CHECK(tape.node_at(detached.index()).input_count == 0);
  }
  CHECK(grad_enabled());
  CHECK(detached.data()[0] == 2);  // values are still computed
  tape.backward(sum(add(kept, detached)));
  CHECK(x.grad()[0] == 2);  // only the recorded path contributes
}

TEST_CASE("nodes keep the op name, inputs and kind") {
  Parameter w("w", Tensor::ones({2}));
  Tape tape;
  Var x = tape.input(Tensor::ones({2}));
  Var e = tape.noise(Tensor::ones({2}));
  Var y = mul(add(x, tape.param(w)), e);
  CHECK(tape.size() == 5);
  CHECK(std::string(tape.node_at(0).op) == "input");
  CHECK(tape.node_at(1).kind == NodeKind::noise);
  CHECK(tape.node_at(2).kind == NodeKind::parameter);
  CHECK(tape.node_at(2).parameter == &w);
  const Node& add_node = tape.node_at(3);
  CHECK(std::string(add_node.op) == "add");
  REQUIRE(add_node.input_count == 2);
  CHECK(add_node.inputs[0] == 0);
  CHECK(add_node.inputs[1] == 2);
  CHECK(std::string(tape.node_at(y.index()).op) == "mul");
}

TEST_CASE("backward walks a very deep graph without recursion") {
  Parameter x("x", Tensor::from_values({1}, {0.5f}));
  Tape tape;
  Var v = tape.param(x);
  const int depth = 200000;  // a recursive backward would overflow the stack here
  for (int i = 0; i < depth; ++i) v = add(v, 0.0f);
  tape.backward(sum(v));
  CHECK(x.grad()[0] == 1);
}

// --- Lazy zeros (tape.h): a gradient's first contribution overwrites it -------------

TEST_CASE("a gradient's first gemm overwrites it, whatever zero_grad left in its memory") {
  Parameter w("w", Tensor::from_values({2, 2}, {1, 2, 3, 4}));
  w.grad().fill(std::nanf(""));  // what an overwrite must never read
  w.zero_grad();
  Tape tape;
  const Tensor x = Tensor::from_values({1, 2}, {5, 7});
  tape.backward(sum(matmul(tape.input(x), tape.param(w))));  // dW = x^T 1
  CHECK(w.grad().values()[0] == 5);
  CHECK(w.grad().values()[1] == 5);
  CHECK(w.grad().values()[2] == 7);
  CHECK(w.grad().values()[3] == 7);
}

TEST_CASE("after the first contribution, later ones add, within a pass and across passes") {
  Parameter w("w", Tensor::from_values({2, 1}, {1, 2}));
  w.zero_grad();
  Tape tape;
  const Tensor x = Tensor::from_values({1, 2}, {1, 3});
  for (int call = 0; call < 2; ++call) {
    tape.clear();
    Var wv = tape.param(w);
    tape.backward(add(sum(matmul(tape.input(x), wv)), sum(matmul(tape.input(x), wv))));  // two gemms into dW
  }
  CHECK(w.grad().values()[0] == 4);  // 2 calls x 2 uses x 1
  CHECK(w.grad().values()[1] == 12);
}

TEST_CASE("grad_target: the first taker after zero_grad overwrites, later ones accumulate") {
  Parameter w("w", Tensor::ones({3}));
  Tape tape;
  Var wv = tape.param(w);
  CHECK(wv.grad_target().accumulate);  // a new parameter's gradient holds written zeros
  w.zero_grad();
  CHECK_FALSE(wv.grad_target().accumulate);
  CHECK(wv.grad_target().accumulate);
  w.zero_grad();
  CHECK(w.grad().values()[0] == 0);    // reading writes the pending zeros...
  CHECK(wv.grad_target().accumulate);  // ...so there is nothing left to overwrite
}

TEST_CASE("gradients nothing wrote read as zeros after backward, through grad() and the node") {
  Parameter used("used", Tensor::ones({2})), unused("unused", Tensor::ones({2}));
  used.grad().fill(5.0f);
  unused.grad().fill(5.0f);
  used.zero_grad();
  unused.zero_grad();
  Tape tape;
  Var u = tape.param(unused);
  Var side = exp(u);  // recorded before the loss, which does not depend on it
  tape.backward(sum(tape.param(used)));
  CHECK(tape.node_at(u.index()).grad[0] == 0);
  CHECK(tape.node_at(side.index()).grad[1] == 0);
  CHECK(side.grad()[0] == 0);
  CHECK(unused.grad().values()[1] == 0);
  CHECK(used.grad().values()[0] == 1);
}

TEST_CASE("lazy zeros give a VAE step's gradients the bits of zeroing first") {
  Rng init(3);
  models::Vae vae({.inputs = 20, .hidden = {16, 12}, .latent = 3}, init);
  const Tensor images = Tensor::uniform({9, 20}, init, 0.0f, 1.0f);
  auto gradients = [&](bool traced) {
    for (const nn::NamedParameter& named : vae.named_parameters()) named.parameter->grad().fill(std::nanf(""));
    vae.zero_grad();
    Rng sampling(4);
    Tape tape;
    const models::ElboTerms terms = vae.elbo(tape.input(images), Var(), sampling);
    if (traced)
      trace_backward(tape, terms.loss);  // an observer sees every gradient zeroed before the walk
    else
      tape.backward(terms.loss);
    std::vector<float> all;
    for (const nn::NamedParameter& named : vae.named_parameters())
      all.insert(all.end(), named.parameter->grad().values().begin(), named.parameter->grad().values().end());
    return all;
  };
  const std::vector<float> lazy = gradients(false), eager = gradients(true);
  REQUIRE(lazy.size() == eager.size());
  CHECK(std::memcmp(lazy.data(), eager.data(), lazy.size() * sizeof(float)) == 0);
  CHECK(std::all_of(lazy.begin(), lazy.end(), [](float g) { return std::isfinite(g); }));
}
