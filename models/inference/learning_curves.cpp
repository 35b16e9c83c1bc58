#include "models/inference/learning_curves.h"

#include <chrono>
#include <cmath>
#include <memory>

#include "autodiff/error.h"
#include "datasets/batcher.h"
#include "models/evaluation.h"
#include "models/inference/mcem.h"
#include "models/inference/wake_sleep.h"
#include "nn/optimizer.h"

namespace aevb::models::inference {
namespace {

// One learner's model and optimizer, stepped one minibatch at a time.
class Trainer {
 public:
  Trainer(const CurveOptions& options, float learning_rate, const datasets::ImageSet& train)
      : options_(options), init_rng_(options.seed), rng_(options.seed, 1) {
    const int64_t datapoints = train.count;
    vae_ = std::make_unique<Vae>(VaeConfig{.inputs = train.pixels_per_image(),
                                           .hidden = {options.hidden},
                                           .latent = options.latent,
                                           .activation = nn::Activation::tanh},
                                 init_rng_);
    for (Parameter* p : vae_->parameters()) p->value() = Tensor::normal(p->shape(), init_rng_, 0, options.init_stddev);
    const nn::AdagradOptions adagrad{.learning_rate = learning_rate,
                                     .weight_decay = 1.0f / static_cast<float>(datapoints)};
    if (options.learner == Learner::mcem) {
      optimizer_ = std::make_unique<nn::Adagrad>(decoder_parameters(*vae_), adagrad);
      mcem_ = std::make_unique<MonteCarloEm>(*vae_, datapoints, McemOptions{}, rng_);
    } else {
      optimizer_ = std::make_unique<nn::Adagrad>(vae_->named_parameters(), adagrad);
    }
  }
  Vae& vae() { return *vae_; }
  Rng& rng() { return rng_; }
  // One minibatch; returns the learner's own objective per datapoint (for MCEM, log p(x, z)).
  double step(const datasets::Batch& batch) {
    switch (options_.learner) {
      case Learner::aevb: {
        Tape tape;
        optimizer_->zero_grad();
        ElboTerms terms = vae_->elbo(tape.input(batch.images), Var(), rng_);
        tape.backward(terms.loss);
        optimizer_->step();
        return -terms.loss.item();
      }
      case Learner::wake_sleep: {
        const WakeSleepLosses losses = wake_sleep_step(*vae_, batch.images, *optimizer_, rng_);
        return -losses.wake;
      }
      case Learner::mcem:
        return mcem_->step(batch.images, batch.indices, *optimizer_, rng_);
    }
    return 0;
  }

 private:
  CurveOptions options_;
  Rng init_rng_, rng_;
  std::unique_ptr<Vae> vae_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::unique_ptr<MonteCarloEm> mcem_;
};

// Runs `trainer` until `samples` training samples have been evaluated, calling `each`
// after every minibatch with the running count.
template <class Each>
void train_until(Trainer& trainer, datasets::Batcher& batcher, int64_t& done, int64_t& epoch, int64_t samples,
                 const Each& each) {
  while (done < samples) {
    const datasets::Batch* batch = batcher.next();
    if (batch == nullptr) {
      batcher.start_epoch(++epoch);
      continue;
    }
    const double objective = trainer.step(*batch);
    check(std::isfinite(objective), "learning curve: the ", "training objective became ", objective, " after ", done,
          " samples (lower the step size)");
    done += batch->size;
    each(done, objective);
  }
}

}  // namespace

const char* to_string(Learner learner) {
  switch (learner) {
    case Learner::aevb:
      return "AEVB";
    case Learner::wake_sleep:
      return "wake-sleep";
    case Learner::mcem:
      return "MCEM";
  }
  return "?";
}

double elbo_measure(Vae& vae, const Tensor& images, Rng& rng) {
  return -evaluate_vae(vae, EvaluationSet{images, Tensor(), {}}, rng).neg_elbo;
}

Tensor intensities(const datasets::ImageSet& set, int64_t count) {
  check(count >= 1 && count <= set.count, "intensities: ", count, " of ", set.count, " images");
  datasets::Batcher batcher(set, {.batch_size = count, .shuffle = false});
  return batcher.next()->images;
}

std::vector<int64_t> measurement_points(int64_t batch, int64_t budget, int64_t points_per_decade) {
  std::vector<int64_t> points;
  for (int64_t k = 0;; ++k) {
    const double at = double(batch) * std::pow(10.0, double(k) / double(points_per_decade));
    const int64_t whole = std::max<int64_t>(batch, int64_t(std::llround(at / double(batch))) * batch);
    if (whole >= budget) break;
    if (points.empty() || whole > points.back()) points.push_back(whole);
  }
  points.push_back(budget);
  return points;
}

Curve learning_curve(const CurveOptions& options, const datasets::ImageSet& train, const Tensor& train_images,
                     const Tensor& test_images, const Measure& measure, const ProgressFn& progress) {
  check(options.batch >= 1 && options.budget >= options.batch && options.points_per_decade >= 1 &&
            !options.learning_rates.empty() && options.trial_samples >= options.batch,
        "learning_curve: bad options");
  const int64_t trial = options.learning_rates.size() > 1 ? options.trial_samples : 0;
  const int64_t total = trial * int64_t(options.learning_rates.size()) + options.budget;
  int64_t reported = 0;
  const datasets::BatchOptions batches{.batch_size = options.batch, .drop_last = true, .seed = options.seed};
  Curve curve;
  // The step size: each candidate trained for the trial, judged by its objective over
  // the trial's last tenth (AEVB and wake-sleep: the ELBO of the training images).
  double best = -INFINITY;
  for (float rate : options.learning_rates) {
    if (trial == 0) {
      curve.learning_rate = rate;
      break;
    }
    Trainer trainer(options, rate, train);
    datasets::Batcher batcher(train, batches);
    int64_t done = 0, epoch = 0;
    double late_sum = 0, late_count = 0;
    try {
      train_until(trainer, batcher, done, epoch, trial, [&](int64_t now, double objective) {
        if (now > trial - trial / 10) late_sum += objective, late_count += 1;
        if (progress) progress(reported + now, total);
      });
    } catch (const Error&) {
      late_count = 0;  // a diverging candidate is not chosen
    }
    reported += trial;
    double score = late_count > 0 ? late_sum / late_count : -INFINITY;
    if (options.learner != Learner::mcem && late_count > 0)
      score = elbo_measure(trainer.vae(), train_images, trainer.rng());
    if (score > best) best = score, curve.learning_rate = rate;
  }
  check(std::isfinite(best) || trial == 0, "learning curve: every step size diverged in the trial");
  Trainer trainer(options, curve.learning_rate, train);
  datasets::Batcher batcher(train, batches);
  int64_t done = 0, epoch = 0;
  double seconds = 0;
  Rng measure_rng(options.seed, 2);
  for (int64_t point : measurement_points(options.batch, options.budget, options.points_per_decade)) {
    const auto start = std::chrono::steady_clock::now();
    train_until(trainer, batcher, done, epoch, point, [&](int64_t now, double) {
      if (progress) progress(reported + now, total);
    });
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    curve.points.push_back({done, measure(trainer.vae(), train_images, measure_rng),
                            measure(trainer.vae(), test_images, measure_rng), seconds});
  }
  return curve;
}

}  // namespace aevb::models::inference
