// Tests for models/inference/wake_sleep.cpp, mcem.cpp and learning_curves.cpp: on a
// small problem each learner improves its model, in the paper's protocol.
#include <doctest/doctest.h>

#include <cmath>

#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "models/inference/learning_curves.h"
#include "models/inference/marginal_likelihood.h"
#include "models/inference/mcem.h"
#include "models/inference/wake_sleep.h"
#include "nn/optimizer.h"

using namespace aevb;
using namespace aevb::models;
using namespace aevb::models::inference;

namespace {

const datasets::TrainTest& small() {
  static const datasets::TrainTest data = [] {
    datasets::TrainTest full = datasets::load_dataset("mnist-subset");
    return datasets::TrainTest{datasets::spread_subset(full.train, 1000), datasets::spread_subset(full.test, 100)};
  }();
  return data;
}

// log p(x) per datapoint by the Appendix D estimator, for a model without a trained encoder.
double marginal(Vae& vae, const Tensor& images, Rng& rng) {
  VaePosterior target(vae, images);
  const MarginalLikelihoodOptions options{.hmc = {.warmup = 30, .samples = 30, .initial_step_size = 0.1}, .chains = 2};
  double sum = 0;
  for (double v :
       estimate_marginal_likelihood(target, Tensor::normal({images.shape()[0] * 2, 3}, rng), options, rng).log_marginal)
    sum += v / double(images.shape()[0]);
  return sum;
}

}  // namespace

TEST_CASE("measurement points: whole minibatches, evenly spaced in log samples, ending at the budget") {
  CHECK(measurement_points(100, 10000, 2) == std::vector<int64_t>{100, 300, 1000, 3200, 10000});
  CHECK(measurement_points(100, 100, 4) == std::vector<int64_t>{100});
  CHECK(measurement_points(100, 250, 1) == std::vector<int64_t>{100, 250});
}

TEST_CASE("AEVB, wake-sleep and MCEM each improve their model in the paper's protocol") {
  const datasets::TrainTest& data = small();
  const Tensor train = intensities(datasets::spread_subset(data.train, 20), 20),
               test = intensities(datasets::spread_subset(data.test, 20), 20);
  // Untrained, with weights of N(0, 0.01^2), every pixel is nearly a fair coin: 784 log(1/2).
  const double untrained = 784 * std::log(0.5);
  for (Learner learner : {Learner::aevb, Learner::wake_sleep, Learner::mcem}) {
    CAPTURE(to_string(learner));
    const CurveOptions options{
        .learner = learner, .latent = 3, .hidden = 64, .budget = 30000, .points_per_decade = 1, .trial_samples = 1000};
    const Measure measure = learner == Learner::mcem ? Measure(marginal) : Measure(elbo_measure);
    const Curve curve = learning_curve(options, data.train, train, test, measure);
    REQUIRE(curve.points.size() == 4);  // 100, 1000, 10000, 30000
    CHECK(curve.points.front().samples == 100);
    CHECK(curve.points.back().samples == 30000);
    CAPTURE(curve.points.front().train);
    CAPTURE(curve.points.back().train);
    CAPTURE(curve.points.back().test);
    CHECK(curve.learning_rate > 0);
    CHECK(curve.points.back().train > curve.points.front().train);
    CHECK(curve.points.back().train > untrained + 250);
    CHECK(curve.points.back().test > untrained + 250);
    CHECK(curve.points.back().seconds >= curve.points.front().seconds);
  }
}

TEST_CASE("wake-sleep: the wake phase fits the decoder, the sleep phase the encoder") {
  Rng rng(4);
  Vae vae({.inputs = 784, .hidden = {32}, .latent = 3, .activation = nn::Activation::tanh}, rng);
  nn::Adagrad adagrad(vae.named_parameters(), {.learning_rate = 0.05f});
  const Tensor x = intensities(small().train, 100);
  const WakeSleepLosses first = wake_sleep_step(vae, x, adagrad, rng);
  WakeSleepLosses last;
  for (int step = 0; step < 200; ++step) last = wake_sleep_step(vae, x, adagrad, rng);
  CHECK(last.wake < first.wake - 50);
  CHECK(last.sleep < first.sleep);
  Vae gaussian({.inputs = 784, .hidden = {8}, .latent = 2, .likelihood = Likelihood::gaussian}, rng);
  nn::Adagrad other(gaussian.named_parameters(), {});
  CHECK_THROWS_WITH_AS(wake_sleep_step(gaussian, x, other, rng), doctest::Contains("Bernoulli"), Error);
}

TEST_CASE("MCEM: the decoder alone learns, and the adapted step sizes keep most proposals accepted") {
  Rng rng(6);
  Vae vae({.inputs = 784, .hidden = {32}, .latent = 3, .activation = nn::Activation::tanh}, rng);
  const std::vector<nn::NamedParameter> decoder = decoder_parameters(vae);
  for (const nn::NamedParameter& p : decoder) CHECK(p.name.rfind("decoder.", 0) == 0);
  CHECK(decoder.size() * 2 == vae.named_parameters().size());
  const Tensor encoder_before = vae.named_parameters().front().parameter->value();
  nn::Adagrad adagrad(decoder, {.learning_rate = 0.05f});
  MonteCarloEm mcem(vae, 100, {}, rng);
  const Tensor x = intensities(small().train, 100);
  std::vector<int64_t> indices(100);
  for (int64_t i = 0; i < 100; ++i) indices[size_t(i)] = i;
  const double first = mcem.step(x, indices, adagrad, rng);
  double last = first;
  // The acceptance over the last 20 transitions of all 100 chains (2,000 draws): one
  // transition's fraction of 100 is too noisy a figure to hold a bound (it moves by 0.05
  // between instruction sets, whose last bits differ).
  double acceptance = 0;
  for (int step = 0; step < 100; ++step) {
    last = mcem.step(x, indices, adagrad, rng);
    if (step >= 80) acceptance += mcem.mean_acceptance() / 20;
  }
  CHECK(last > first + 50);
  CHECK(acceptance > 0.6);
  const Tensor& encoder_after = vae.named_parameters().front().parameter->value();
  for (int64_t i = 0; i < encoder_after.numel(); ++i) REQUIRE(encoder_after[i] == encoder_before[i]);
}
