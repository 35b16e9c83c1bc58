// The Concrete relaxations: draws through the Gumbel-max (or logistic) trick with a
// softmax (sigmoid) in place of the argmax (the threshold).
#include <cmath>

#include "nn/distributions/relaxed.h"
#include "nn/distributions/support.h"

namespace aevb::nn {
namespace {

void check_temperature(const char* family, float temperature) {
  check(temperature > 0.0f && std::isfinite(temperature), family, ": the temperature must be positive and finite, got ",
        temperature);
}

// The straight-through estimator, as one op: the value is `hard`, the gradient goes to
// `relaxed` as if the value were it. Not the derivative of its value (which is 0 for
// relaxed), so gradcheck would rightly refuse it: a test checks it passes dy unchanged.
// y = hard;  dhard += 0;  drelaxed += dy
Var straight_through(Var hard, Var relaxed) {
  return binary_op(
      "straight_through", hard, relaxed, [](float h, float) { return h; },
      [](float, float, float, float) { return 0.0f; }, [](float dy, float, float, float) { return dy; });
}

// A noise leaf of `shape` filled by `draw(rng)`.
template <class Draw>
Var noise_leaf(Tape& tape, const Shape& shape, Rng& rng, Draw draw) {
  Var noise = tape.noise(shape);
  float* values = tape.value_buffer(noise);
  for (int64_t i = 0; i < noise.numel(); ++i) values[i] = draw(rng);
  return noise;
}

}  // namespace

RelaxedOneHotCategorical::RelaxedOneHotCategorical(float temperature, Var logits, RelaxedDraw draw)
    : temperature_(temperature), logits_(logits), draw_(draw) {
  check_temperature("RelaxedOneHotCategorical", temperature);
  check(logits.shape().rank() == 2 && logits.shape()[1] >= 2, "RelaxedOneHotCategorical: logits ", logits.shape(),
        " must be [N, C] with C >= 2");
  check_finite_in_anomaly_mode(logits);
}

Var RelaxedOneHotCategorical::rsample(Rng& rng) {
  Var gumbel = noise_leaf(logits_.tape(), logits_.shape(), rng, draw_standard_gumbel);
  // Shifted by each row's largest before the division, so that at a low temperature the
  // largest score is exactly 0 and the rows still sum to 1 in float (softmax ignores shifts).
  Var perturbed = add(logits_, gumbel);
  Var scores = div(sub(perturbed, max(perturbed, 1, true)), temperature_);
  Var relaxed = exp(sub(scores, logsumexp(scores, 1, true)));
  if (draw_ == RelaxedDraw::relaxed) return relaxed;
  // The argmax of the scores (the first of equal ones): a categorical draw, exactly.
  const int64_t rows = scores.shape()[0], classes = scores.shape()[1];
  Tensor one_hot({rows, classes});
  const float* s = scores.data();
  for (int64_t n = 0; n < rows; ++n) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (s[n * classes + c] > s[n * classes + best]) best = c;
    one_hot[n * classes + best] = 1.0f;
  }
  return straight_through(logits_.tape().input(one_hot), relaxed);
}

// log p(x) = log (C-1)! + (C-1) log T + sum_c (l_c - (T+1) log x_c) - C logsumexp_c(l_c - T log x_c)
// (Maddison et al. 2016, Definition 1, with alpha = e^l; the logits' scale cancels).
Var RelaxedOneHotCategorical::log_prob(Var x) {
  check(x.shape() == logits_.shape(), "RelaxedOneHotCategorical: values ", x.shape(), " must be rows like the logits ",
        logits_.shape());
  check_within(family(), "x", x, 0.0f, 1.0f);
  const int64_t classes = logits_.shape()[1];
  const double t = temperature_;
  const float constant = static_cast<float>(std::lgamma(static_cast<double>(classes)) + (classes - 1) * std::log(t));
  Var log_x = log(x);
  Var scores = sub(logits_, mul(log_x, temperature_));
  return add(sub(sum(sub(scores, log_x), 1), mul(logsumexp(scores, 1), static_cast<float>(classes))), constant);
}

RelaxedBernoulli::RelaxedBernoulli(float temperature, Var logits, RelaxedDraw draw)
    : temperature_(temperature), logits_(logits), draw_(draw) {
  check_temperature("RelaxedBernoulli", temperature);
  check_finite_in_anomaly_mode(logits);
}

Var RelaxedBernoulli::rsample(Rng& rng) {
  Var logistic = noise_leaf(logits_.tape(), logits_.shape(), rng, draw_standard_logistic);
  Var scores = div(add(logits_, logistic), temperature_);
  Var relaxed = sigmoid(scores);
  if (draw_ == RelaxedDraw::relaxed) return relaxed;
  // 1 where logits + noise > 0: a Bernoulli(sigmoid(logits)) draw, exactly.
  Tensor hard(scores.shape());
  for (int64_t i = 0; i < hard.numel(); ++i) hard[i] = scores.data()[i] > 0.0f ? 1.0f : 0.0f;
  return straight_through(logits_.tape().input(hard), relaxed);
}

// With y = log x - log(1 - x) and d = l - T y: log p(x) = log T + d - 2 softplus(d) - log x - log(1 - x)
// (the logistic density of y, times the Jacobian of y = logit x).
Var RelaxedBernoulli::log_prob(Var x) {
  check(x.shape() == logits_.shape(), "RelaxedBernoulli: values ", x.shape(), " must have the logits' shape ",
        logits_.shape());
  check_within(family(), "x", x, 0.0f, 1.0f);
  Var log_x = log(x), log_one_minus_x = log(1.0f - x);
  Var d = sub(logits_, mul(sub(log_x, log_one_minus_x), temperature_));
  return add(sub(sub(d, mul(softplus(d), 2.0f)), add(log_x, log_one_minus_x)),
             static_cast<float>(std::log(static_cast<double>(temperature_))));
}

}  // namespace aevb::nn
