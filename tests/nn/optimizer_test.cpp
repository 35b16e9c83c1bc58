// Tests for nn/optimizer.cpp: three steps of each optimizer against the update rule
// written out by hand in double, convergence on a quadratic, clipping and schedules.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "autodiff/autodiff.h"
#include "nn/nn.h"

using namespace aevb;
using namespace aevb::nn;

namespace {
// One scalar parameter p0 = 1 whose gradient the test sets before each step.
struct OneParameter {
  Parameter p{"p", Tensor::from_values({1}, {1.0f})};
  std::vector<NamedParameter> named() { return {{"p", &p}}; }
  float step_with(Optimizer& optimizer, float gradient) {
    p.grad()[0] = gradient;
    optimizer.step();
    return p.value()[0];
  }
};
constexpr double kFloatRounding = 1e-6;  // the kernels compute in float; the rules here in double
}  // namespace

TEST_CASE("SGD with momentum and weight decay: three steps by hand") {
  OneParameter x;
  Sgd sgd(x.named(), {.learning_rate = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f});
  double p = 1, v = 0;
  for (double g : {0.5, -0.3, 0.2}) {
    double g_decayed = g + 0.01 * p;  // g' = g + wd p
    v = 0.9 * v + g_decayed;           // v = mu v + g'
    p = p - 0.1 * v;                   // p -= lr v
    CHECK(x.step_with(sgd, static_cast<float>(g)) == doctest::Approx(p).epsilon(kFloatRounding));
  }
  // The first step by plain arithmetic: g' = 0.5 + 0.01 = 0.51, p = 1 - 0.051.
  OneParameter y;
  Sgd again(y.named(), {.learning_rate = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f});
  CHECK(y.step_with(again, 0.5f) == doctest::Approx(0.949));
}

TEST_CASE("SGD with Nesterov momentum: three steps by hand") {
  OneParameter x;
  Sgd sgd(x.named(), {.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true});
  // g = 0.5 each step: v = 0.5, 0.95, 1.355; p -= 0.1 (g + 0.9 v)
  CHECK(x.step_with(sgd, 0.5f) == doctest::Approx(1 - 0.1 * (0.5 + 0.9 * 0.5)));                       // 0.905
  CHECK(x.step_with(sgd, 0.5f) == doctest::Approx(0.905 - 0.1 * (0.5 + 0.9 * 0.95)));                  // 0.7695
  CHECK(x.step_with(sgd, 0.5f) == doctest::Approx(0.7695 - 0.1 * (0.5 + 0.9 * 1.355)).epsilon(1e-6));  // 0.59755
}

TEST_CASE("Adagrad: three steps by hand") {
  OneParameter x;
  Adagrad adagrad(x.named(), {.learning_rate = 0.1f});
  // g = 0.5 each step: sum of squares 0.25, 0.5, 0.75; p -= 0.1 * 0.5 / sqrt(sum)
  CHECK(x.step_with(adagrad, 0.5f) == doctest::Approx(1 - 0.1 * 0.5 / std::sqrt(0.25)));  // 0.9
  CHECK(x.step_with(adagrad, 0.5f) == doctest::Approx(0.9 - 0.1 * 0.5 / std::sqrt(0.5)));
  CHECK(x.step_with(adagrad, 0.5f) ==
        doctest::Approx(0.9 - 0.1 * 0.5 / std::sqrt(0.5) - 0.1 * 0.5 / std::sqrt(0.75)).epsilon(1e-6));
}

TEST_CASE("Adam and AdamW: three steps by hand") {
  for (bool decoupled : {false, true}) {
    CAPTURE(decoupled);
    OneParameter x;
    AdamOptions options{.learning_rate = 0.1f, .beta1 = 0.9f, .beta2 = 0.999f, .epsilon = 1e-8f, .weight_decay = 0.05f};
    std::unique_ptr<Optimizer> adam = decoupled ? std::unique_ptr<Optimizer>(new AdamW(x.named(), options))
                                                : std::unique_ptr<Optimizer>(new Adam(x.named(), options));
    double p = 1, m = 0, v = 0;
    int t = 0;
    for (double raw_gradient : {0.5, -0.2, 0.1}) {
      ++t;
      double g = raw_gradient;
      if (decoupled)
        p -= 0.1 * 0.05 * p;  // AdamW: p -= lr wd p, outside the moments
      else
        g += 0.05 * p;  // Adam: L2 decay joins the gradient
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      double m_hat = m / (1 - std::pow(0.9, t)), v_hat = v / (1 - std::pow(0.999, t));
      p -= 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8);
      CHECK(x.step_with(*adam, static_cast<float>(raw_gradient)) == doctest::Approx(p).epsilon(1e-5));
    }
    CHECK(adam->step_count() == 3);
  }
}

TEST_CASE("every optimizer converges on a quadratic") {
  // f(p) = sum (p - target)^2, from p = 0.
  Tensor target = Tensor::from_values({3}, {1.0f, -2.0f, 0.5f});
  auto converge = [&](auto make_optimizer, int steps) {
    Parameter p("p", Tensor::zeros({3}));
    auto optimizer = make_optimizer(std::vector<NamedParameter>{{"p", &p}});
    Tape tape;
    for (int s = 0; s < steps; ++s) {
      tape.clear();
      Var loss = sum(square(sub(tape.param(p), tape.input(target))));
      optimizer->zero_grad();
      tape.backward(loss);
      optimizer->step();
    }
    double worst = 0;
    for (int64_t i = 0; i < 3; ++i) worst = std::max(worst, std::fabs(static_cast<double>(p.value()[i] - target[i])));
    return worst;
  };
  CHECK(converge([](auto named) { return std::make_unique<Sgd>(named, SgdOptions{.learning_rate = 0.1f}); }, 200) <
        1e-4);
  CHECK(converge(
            [](auto named) {
              return std::make_unique<Sgd>(named,
                                           SgdOptions{.learning_rate = 0.05f, .momentum = 0.9f, .nesterov = true});
            },
            300) < 1e-4);
  CHECK(converge([](auto named) { return std::make_unique<Adagrad>(named, AdagradOptions{.learning_rate = 0.5f}); },
                 500) < 1e-3);
  CHECK(converge([](auto named) { return std::make_unique<Adam>(named, AdamOptions{.learning_rate = 0.05f}); }, 1000) <
        1e-3);
  CHECK(converge(
            [](auto named) {
              return std::make_unique<AdamW>(named, AdamOptions{.learning_rate = 0.05f, .weight_decay = 1e-4f});
            },
            1000) < 2e-3);
}

TEST_CASE("clip_grad_norm scales all gradients by one factor") {
  Parameter a("a", Tensor::zeros({1})), b("b", Tensor::zeros({1}));
  a.grad()[0] = 3;
  b.grad()[0] = 4;
  std::vector<NamedParameter> named = {{"a", &a}, {"b", &b}};
  CHECK(clip_grad_norm(named, 1.0) == doctest::Approx(5));
  CHECK(a.grad()[0] == doctest::Approx(0.6f));
  CHECK(b.grad()[0] == doctest::Approx(0.8f));
  CHECK(clip_grad_norm(named, 10.0) == doctest::Approx(1));  // under the bound: unchanged
  CHECK(a.grad()[0] == doctest::Approx(0.6f));
}

TEST_CASE("squared_l2_norm: the float kernel, and double where float would overflow") {
  Tensor t = Tensor::zeros({1000});
  for (int64_t i = 0; i < 1000; ++i) t[i] = static_cast<float>(i % 7) - 3.0f;
  double exact = 0;
  for (float v : t.values()) exact += double{v} * v;
  CHECK(squared_l2_norm(t) == exact);  // small integers: exact in float
  t[17] = 3e19f;                       // its square overflows float
  CHECK(squared_l2_norm(t) == doctest::Approx(9e38 + exact));
  CHECK(std::isfinite(squared_l2_norm(t)));
  t[18] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(squared_l2_norm(t)));
}

TEST_CASE("learning-rate schedules") {
  CHECK(constant_schedule(0.3f)(1000) == 0.3f);
  Schedule step = step_schedule(0.1f, 10, 0.5f);
  CHECK(step(9) == doctest::Approx(0.1));
  CHECK(step(10) == doctest::Approx(0.05));
  CHECK(step(25) == doctest::Approx(0.025));
  Schedule cosine = cosine_schedule(1.0f, 100, 0.1f);
  CHECK(cosine(0) == doctest::Approx(1.0));
  CHECK(cosine(50) == doctest::Approx(0.55));
  CHECK(cosine(100) == doctest::Approx(0.1));
  CHECK(cosine(500) == doctest::Approx(0.1));
  Schedule warm = linear_warmup(constant_schedule(1.0f), 4);
  CHECK(warm(0) == doctest::Approx(0.25));
  CHECK(warm(3) == doctest::Approx(1.0));
  CHECK(warm(10) == doctest::Approx(1.0));
}

TEST_CASE("bad optimizer settings are refused with the setting named") {
  OneParameter x;
  CHECK_THROWS_WITH_AS(Sgd(x.named(), {.learning_rate = -1.0f}),
                       "Optimizer: learning rate -1 must be positive and finite", Error);
  CHECK_THROWS_WITH_AS(Sgd(x.named(), {.nesterov = true}), "Sgd: Nesterov momentum needs momentum > 0", Error);
  CHECK_THROWS_WITH_AS(Adam(x.named(), {.beta2 = 1.0f}), "Adam: beta2 1 is outside [0, 1)", Error);
}
