// Tests for models/vae.cpp, models/autoencoder.cpp and models/training.cpp on slices of
// mnist-subset: the models learn, the IWAE bound is never below the ELBO for the same
// draws, and a resumed run equals an uninterrupted one bit for bit.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "models/training.h"
#include "models/vae.h"
#include "nn/checkpoint.h"
#include "tests/temp_files.h"

using namespace aevb;
using namespace aevb::models;
namespace fs = std::filesystem;

namespace {

const datasets::TrainTest& small_mnist() {
  static const datasets::TrainTest data = [] {
    datasets::TrainTest full = datasets::load_dataset("mnist-subset");
    return datasets::TrainTest{datasets::spread_subset(full.train, 1000), datasets::spread_subset(full.test, 200)};
  }();
  return data;
}

using testing::TempFolder;

TrainingOptions quiet_options(const TempFolder& out, int epochs, uint64_t seed) {
  TrainingOptions options;
  options.epochs = epochs;
  options.batch = 100;
  options.seed = seed;
  options.out = out.path.string();
  options.quiet = true;
  return options;
}

std::string read_text(const fs::path& path) {  // whole file as text
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a VAE and a CVAE learn: the test -ELBO falls by more than half in 300 steps") {
  for (int64_t conditions : {0, 10}) {
    CAPTURE(conditions);
    TempFolder out("aevb_vae_learns_");
    TrainingOptions options = quiet_options(out, 30, 3);
    VaeConfig config{.inputs = 784, .hidden = {128}, .latent = 10, .conditions = conditions};
    TrainingOptions untrained = options;
    untrained.epochs = 0;
    const double before = train_vae(untrained, config, small_mnist()).test_neg_elbo;
    TrainingResult after = train_vae(options, config, small_mnist());
    INFO("test -ELBO before " << before << ", after " << after.test_neg_elbo);
    CHECK(after.epochs_run == 30);
    CHECK(after.test_neg_elbo < 0.5 * before);
    for (const char* picture : {"reconstructions.png", "samples.png", "latent.png", "metrics.jsonl", "checkpoint.aevb"})
      CHECK(fs::exists(out.path / picture));
    if (conditions > 0) CHECK(fs::exists(out.path / "conditional.png"));
  }
}

TEST_CASE("the importance-weighted bound is at least the ELBO on the same draws") {
  Rng rng(5);
  Vae vae({.inputs = 784, .hidden = {64}, .latent = 8}, rng);
  Tape tape;
  const datasets::TrainTest& data = small_mnist();
  Tensor x({16, 784});
  for (int64_t i = 0; i < 16 * 784; ++i) x[i] = data.test.pixels[static_cast<size_t>(i)] / 255.0f;
  Var log_w = vae.log_importance_weights(tape.input(x), Var(), 50, rng);
  REQUIRE(log_w.shape() == Shape{16, 50});
  for (int64_t n = 0; n < 16; ++n) {
    double largest = -INFINITY, mean = 0, sum = 0;
    for (int64_t k = 0; k < 50; ++k) largest = std::max(largest, static_cast<double>(log_w.data()[n * 50 + k]));
    for (int64_t k = 0; k < 50; ++k) {
      mean += log_w.data()[n * 50 + k] / 50.0;
      sum += std::exp(log_w.data()[n * 50 + k] - largest);
    }
    const double iwae = largest + std::log(sum / 50);
    CHECK(iwae >= mean - 1e-6);
  }
  // The estimate of -log p(x) with more samples comes out below the -ELBO.
  Rng estimate_rng(6);
  double nll = negative_log_likelihood(vae, {x.data(), nullptr, 16}, 200, estimate_rng, 1000);
  tape.clear();
  Rng elbo_rng(7);
  double neg_elbo = 0;
  for (int repeat = 0; repeat < 20; ++repeat) {
    tape.clear();
    ElboTerms terms = vae.elbo(tape.input(x), Var(), elbo_rng);
    neg_elbo += (terms.reconstruction.item() + terms.kl.item()) / 20;
  }
  INFO("-log p(x) estimate " << nll << ", -ELBO " << neg_elbo);
  CHECK(nll <= neg_elbo);
}

TEST_CASE("training that diverges stops with where, the largest gradient and the good checkpoint") {
  TempFolder out("aevb_vae_diverges_");
  VaeConfig config{.inputs = 784, .hidden = {64}, .latent = 4};
  TrainingOptions options = quiet_options(out, 2, 5);
  train_vae(options, config, small_mnist());  // two good epochs, then a checkpoint
  const std::string checkpoint = (out.path / "checkpoint.aevb").string();

  // Weights blown up in the checkpoint (resume refuses another --lr, which would have
  // been the easy way): the decoder's logits overflow to inf, the loss is no number.
  nn::CheckpointContents contents = nn::read_checkpoint_file(checkpoint);
  std::vector<std::pair<std::string, const Tensor*>> tensors;
  for (auto& [name, tensor] : contents.tensors) {
    if (name.rfind("model.decoder.", 0) == 0 && name.find("weight") != std::string::npos)
      for (int64_t i = 0; i < tensor.numel(); ++i) tensor[i] *= 1e37f;
    tensors.emplace_back(name, &tensor);
  }
  nn::write_checkpoint_file(checkpoint, contents.counters, tensors, contents.texts);
  const std::vector<char> good = testing::read_bytes(checkpoint);
  options.resume = checkpoint;
  options.epochs = 50;
  std::string message;
  try {
    train_vae(options, config, small_mnist());
  } catch (const Error& error) {
    message = error.what();
  }
  INFO(message);
  REQUIRE(message.rfind("training diverged at epoch 3, step ", 0) == 0);
  CHECK(message.find("; the largest gradient of the last backward pass is in ") != std::string::npos);
  CHECK(message.find("; the last good checkpoint is " + checkpoint + " (after epoch 2)") != std::string::npos);
  CHECK(testing::read_bytes(checkpoint) == good);  // untouched, so it still loads
}

TEST_CASE("a resumed run equals one never stopped, bit for bit") {
  TempFolder straight("aevb_resume_straight_"), stopped("aevb_resume_stopped_");
  VaeConfig config{.inputs = 784, .hidden = {64}, .latent = 4};
  TrainingOptions options = quiet_options(straight, 3, 9);
  options.binarization = datasets::Binarization::dynamic;
  const double uninterrupted = train_vae(options, config, small_mnist()).test_neg_elbo;

  options.out = stopped.path.string();
  options.epochs = 2;
  train_vae(options, config, small_mnist());
  options.epochs = 3;
  options.resume = (stopped.path / "checkpoint.aevb").string();
  TrainingResult resumed = train_vae(options, config, small_mnist());
  CHECK(resumed.epochs_run == 1);
  CHECK(resumed.test_neg_elbo == uninterrupted);
  // The metrics files agree on every number but the timings.
  auto strip_timings = [](std::string text) {
    std::string out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out += line.substr(0, line.find(",\"seconds\"")) + "\n";
    return out;
  };
  CHECK(strip_timings(read_text(stopped.path / "metrics.jsonl")) ==
        strip_timings(read_text(straight.path / "metrics.jsonl")));
}

TEST_CASE("an autoencoder and a denoising autoencoder learn") {
  for (Denoising denoising : {Denoising::none, Denoising::mask}) {
    TempFolder out("aevb_ae_");
    TrainingOptions options = quiet_options(out, 0, 4);
    AutoencoderConfig config{.inputs = 784, .hidden = {128}, .code = 8};
    const double before = train_autoencoder(options, config, denoising, 0.3f, small_mnist()).test_neg_elbo;
    options.epochs = 15;
    const double after = train_autoencoder(options, config, denoising, 0.3f, small_mnist()).test_neg_elbo;
    INFO("test reconstruction before " << before << ", after " << after);
    CHECK(after < 0.5 * before);
    CHECK(fs::exists(out.path / (denoising == Denoising::none ? "reconstructions.png" : "denoising.png")));
  }
}

TEST_CASE("bad model settings are refused with the setting named") {
  Rng rng(1);
  CHECK_THROWS_WITH_AS(Vae({.learned_prior = true}, rng), "Vae: a learned prior p(z | c) needs conditions (a CVAE)",
                       Error);
  CHECK_THROWS_WITH_AS(parse_likelihood("poisson"),
                       "unknown likelihood 'poisson': expected bernoulli, continuous-bernoulli or gaussian", Error);
  Vae cvae({.inputs = 4, .hidden = {3}, .latent = 2, .conditions = 3}, rng);
  Tape tape;
  CHECK_THROWS_WITH_AS(cvae.elbo(tape.input(Tensor::zeros({2, 4})), Var(), rng),
                       "Vae: this CVAE needs a condition [N, 3]", Error);
}

TEST_CASE("the whole ELBO's gradient matches finite differences for every parameter tensor") {
  for (int64_t conditions : {0, 3}) {
    for (Likelihood likelihood : {Likelihood::bernoulli}) {  // (gaussian: float's rounding of 64 pixels' log-variance
                                                          // terms leaves no step that resolves 3%; its ops are checked alone)
      CAPTURE(conditions);
      CAPTURE(to_string(likelihood));
      Rng init(11);
      Vae vae({.inputs = 6, .hidden = {5}, .latent = 2, .conditions = conditions, .learned_prior = conditions > 0,
               .activation = nn::Activation::tanh, .likelihood = likelihood},
              init);
      Tensor x = Tensor::uniform({4, 6}, init, 0.05f, 0.95f);
      Tensor c({4, std::max<int64_t>(conditions, 1)});
      for (int64_t n = 0; n < 4 && conditions > 0; ++n) c[n * conditions + n % conditions] = 1.0f;
      Tape tape;
      // The same noise on every evaluation: the ELBO is then a smooth function of the parameters.
      auto loss_now = [&] {
        tape.clear();
        Rng noise(99);
        Var condition = conditions > 0 ? tape.input(c) : Var();
        return vae.elbo(tape.input(x), condition, noise).loss;
      };
      vae.zero_grad();
      tape.backward(loss_now());
      for (const nn::NamedParameter& named : vae.named_parameters()) {
        Tensor& value = named.parameter->value();
        for (int64_t i : {int64_t{0}, value.numel() / 2, value.numel() - 1}) {
          const float original = value[i], h = 1e-2f;
          value[i] = original + h;
          const double plus = loss_now().item();
          value[i] = original - h;
          const double minus = loss_now().item();
          value[i] = original;
          const double numeric = (plus - minus) / (2 * h), analytic = named.parameter->grad()[i];
          INFO(named.name << "[" << i << "]: analytic " << analytic << ", numeric " << numeric);
          CHECK(std::fabs(analytic - numeric) <= 2e-2 * std::max({std::fabs(analytic), std::fabs(numeric), 0.05}));
        }
      }
    }
  }
}

namespace {
// The convolutional VAE at a small width (8 and 16 channels) on 28x28 images.
VaeConfig conv_config(int64_t conditions = 0, Likelihood likelihood = Likelihood::bernoulli) {
  return {.inputs = 784, .hidden = {8, 16}, .architecture = Architecture::conv, .image_height = 28,
          .image_width = 28, .latent = 4, .conditions = conditions, .likelihood = likelihood};
}
}  // namespace

TEST_CASE("the convolutional VAE: PyTorch's layer shapes and parameter count") {
  Rng rng(1);
  Vae vae({.inputs = 784, .hidden = {32, 64}, .architecture = Architecture::conv, .image_height = 28,
           .image_width = 28, .latent = 20},
          rng);
  // conv 1->32 (544), conv 32->64 (32,832), linear 3136->40 (125,480); linear 20->3136
  // (65,856), transposed conv 64->32 (32,800) and 32->1 (513): PyTorch's count for the model
  CHECK(vae.parameter_count() == 258025);
  std::vector<std::string> names;
  for (const nn::NamedParameter& named : vae.named_parameters()) names.push_back(named.name);
  CHECK(names == std::vector<std::string>{"encoder.conv1.weight", "encoder.conv1.bias", "encoder.conv2.weight",
                                          "encoder.conv2.bias", "encoder.output.weight", "encoder.output.bias",
                                          "decoder.input.weight", "decoder.input.bias", "decoder.deconv1.weight",
                                          "decoder.deconv1.bias", "decoder.deconv2.weight", "decoder.deconv2.bias"});
  Tape tape;
  ElboTerms terms = vae.elbo(tape.input(Tensor::zeros({3, 784})), Var(), rng);
  CHECK(terms.decoder_output.shape() == Shape{3, 784});
  CHECK(terms.posterior_loc.shape() == Shape{3, 20});
}

TEST_CASE("a convolutional VAE and CVAE learn, and the autoencoder too") {
  for (int64_t conditions : {0, 10}) {
    CAPTURE(conditions);
    TempFolder out("aevb_conv_vae_learns_");
    TrainingOptions options = quiet_options(out, 0, 3);
    const double before = train_vae(options, conv_config(conditions), small_mnist()).test_neg_elbo;
    options.epochs = 12;
    TrainingResult after = train_vae(options, conv_config(conditions), small_mnist());
    INFO("test -ELBO before " << before << ", after " << after.test_neg_elbo);
    CHECK(after.test_neg_elbo < 0.5 * before);
    for (const char* picture : {"reconstructions.png", "samples.png", "latent.png", "checkpoint.aevb"})
      CHECK(fs::exists(out.path / picture));
  }
  TempFolder out("aevb_conv_ae_");
  TrainingOptions options = quiet_options(out, 0, 4);
  AutoencoderConfig config{.inputs = 784, .hidden = {8, 16}, .architecture = Architecture::conv, .image_height = 28,
                           .image_width = 28, .code = 8};
  const double before = train_autoencoder(options, config, Denoising::none, 0.0f, small_mnist()).test_neg_elbo;
  options.epochs = 12;
  const double after = train_autoencoder(options, config, Denoising::none, 0.0f, small_mnist()).test_neg_elbo;
  INFO("test reconstruction before " << before << ", after " << after);
  CHECK(after < 0.5 * before);
}

TEST_CASE("a convolutional VAE resumed equals one never stopped, and loads back as it was trained") {
  TempFolder straight("aevb_conv_resume_straight_"), stopped("aevb_conv_resume_stopped_");
  TrainingOptions options = quiet_options(straight, 2, 9);
  const double uninterrupted = train_vae(options, conv_config(), small_mnist()).test_neg_elbo;
  options.out = stopped.path.string();
  options.epochs = 1;
  train_vae(options, conv_config(), small_mnist());
  options.epochs = 2;
  options.resume = (stopped.path / "checkpoint.aevb").string();
  CHECK(train_vae(options, conv_config(), small_mnist()).test_neg_elbo == uninterrupted);
  // resuming it as an MLP is refused, naming the flag
  TrainingOptions as_mlp = options;
  as_mlp.epochs = 3;
  VaeConfig mlp = conv_config();
  mlp.architecture = Architecture::mlp;
  CHECK_THROWS_WITH_AS(train_vae(as_mlp, mlp, small_mnist()),
                       doctest::Contains("was trained with --architecture conv; this run has --architecture mlp"),
                       InputError);
  TrainedVae loaded = load_trained_vae((stopped.path / "checkpoint.aevb").string(), small_mnist(), "--open", false);
  CHECK(loaded.vae->config().architecture == Architecture::conv);
  CHECK(loaded.vae->config().hidden == std::vector<int64_t>{8, 16});
}

TEST_CASE("the convolutional networks refuse images they cannot halve, naming why") {
  CHECK_THROWS_WITH_AS(check_network_shape({Architecture::conv, {8, 16, 32}, 28, 28}, 784),
                       "3 convolutions of stride 2 halve each side 3 times: the images' 28x28 must divide by 8 on "
                       "both sides",
                       Error);
  CHECK_THROWS_WITH_AS(check_network_shape({Architecture::conv, {8}, 28, 20}, 784), doctest::Contains("28x20 for 784"),
                       Error);
  CHECK_NOTHROW(check_network_shape({Architecture::conv, {8, 16}, 28, 20}, 560));  // Frey faces
}

TEST_CASE("the convolutional ELBO's gradient matches finite differences for every parameter tensor") {
  for (int64_t conditions : {0, 3})
  for (Likelihood likelihood : {Likelihood::bernoulli}) {  // (gaussian: float's rounding of 64 pixels' log-variance
                                                          // terms leaves no step that resolves 3%; its ops are checked alone)
    CAPTURE(conditions);
    CAPTURE(to_string(likelihood));
    Rng rng(11);
    VaeConfig config{.inputs = 64, .hidden = {2, 3}, .architecture = Architecture::conv, .image_height = 8,
                     .image_width = 8, .latent = 2, .conditions = conditions,
                     .activation = nn::Activation::tanh,  // smooth: no kink for the differences to cross
                     .likelihood = likelihood};
    Vae vae(config, rng);
    Tensor x = Tensor::zeros({2, 64});
    Rng data_rng(12);
    data_rng.fill_uniform(x.data(), x.numel(), 0.0f, 1.0f);
    Tensor condition = Tensor::zeros({2, std::max<int64_t>(conditions, 1)});
    if (conditions > 0) condition[0] = condition[conditions + 1] = 1.0f;
    auto loss = [&] {
      Tape tape;
      Rng noise(13);
      Var c = conditions > 0 ? tape.input(condition) : Var();
      ElboTerms terms = vae.elbo(tape.input(x), c, noise);
      vae.zero_grad();
      tape.backward(terms.loss);
      return static_cast<double>(terms.loss.item());
    };
    loss();
    for (const nn::NamedParameter& named : vae.named_parameters()) {
      CAPTURE(named.name);
      Parameter& p = *named.parameter;
      const Tensor analytic = p.grad();
      // the two largest-gradient elements of each tensor, by central differences in float
      // (steps of 2e-3: at 1e-2 the curvature of 64 pixels' terms moves the estimate by 10%)
      std::vector<int64_t> order(static_cast<size_t>(p.value().numel()));
      for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
      std::sort(order.begin(), order.end(),
                [&](int64_t a, int64_t b) { return std::fabs(analytic[a]) > std::fabs(analytic[b]); });
      for (size_t k = 0; k < std::min<size_t>(2, order.size()); ++k) {
        const int64_t i = order[k];
        const float saved = p.value()[i], h = 2e-3f * std::max(1.0f, std::fabs(saved));
        p.value()[i] = saved + h;
        const double up = loss();
        p.value()[i] = saved - h;
        const double down = loss();
        p.value()[i] = saved;
        const double numeric = (up - down) / (2.0 * h);
        INFO("element " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
        CHECK(std::fabs(analytic[i] - numeric) <= 3e-2 * std::max({std::fabs(double{analytic[i]}), std::fabs(numeric), 1e-1}));
      }
    }
  }
}
