// End-to-end VAE benchmarks (issue: speed against PyTorch).
//
//   vae step  : one training step (forward, backward, Adam) of the classic VAE
//               (784-400-20-400-784, ReLU, Bernoulli likelihood, batch 128): median
//               and spread over --steps steps after warm-up, heap allocations per step,
//               peak resident memory against the issue's bound (the data set, the
//               parameters with their gradients and Adam's moments, one step's
//               activations and their gradients, plus 20%), the process's own
//               memory before any data (program and libraries) measured apart; at
//               each --threads count.
//   vae epoch : a full epoch of --data (Fashion-MNIST by default: 60,000 images), with
//               the shuffling and batching included, then the test-set -ELBO pass.
//
//   build/bench/vae step --threads 1,2 --steps 200
//   build/bench/vae epoch --threads 1,2 --data fashion-mnist
//   build/bench/vae epoch --architecture conv --epochs 10   (the convolutional VAE)
//
// Prints one line per run, and with --json FILE writes them as JSON lines.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "autodiff/error.h"
#include "autodiff/kernels/gemm.h"
#include "autodiff/kernels/isa.h"
#include "datasets/batcher.h"
#include "datasets/sources.h"
#include "examples/cli.h"
#include "models/vae.h"
#include "nn/optimizer.h"

// Every heap allocation in the process is counted, so the step's can be read off.
#include "tests/allocation_counter.h"


namespace {

using namespace aevb;
using Clock = std::chrono::steady_clock;

struct Settings {
  std::string mode;
  std::vector<int> threads = {1};
  int steps = 200;
  int warmup = 20;
  std::string data = "fashion-mnist";
  std::string json;
  std::string architecture = "mlp";
  int epochs = 1;
  uint64_t seed = 1;
};

// A field of /proc/self/status in KiB. VmHWM, not getrusage's ru_maxrss: that one
// survives exec, so a parent's (Python's, under compare_torch.py) would show through.
long status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  return 0;
}
long peak_resident_kib() { return status_kib("VmHWM:"); }

// Resident memory before any data: the program and its libraries (set in main).
long baseline_kib = 0;
constexpr double kMiB = 1024.0 * 1024.0;

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

// The classic VAE and its Adam; or, with --architecture conv, the convolutional VAE
// (models/architecture.h: 32 and 64 channels, latent 20) with PyTorch's initialization,
// as train_vae --architecture conv builds it.
models::VaeConfig config_for(const Settings& s, const datasets::TrainTest& data) {
  if (s.architecture == "mlp") return models::VaeConfig{};
  return {.inputs = data.train.pixels_per_image(),
          .hidden = models::default_hidden(models::Architecture::conv),
          .architecture = models::Architecture::conv,
          .image_height = data.train.rows,
          .image_width = data.train.columns,
          .init = nn::Init::torch_uniform};
}

struct Training {
  Training(const models::VaeConfig& config, uint64_t seed) : init_rng(seed), vae(config, init_rng), sampling_rng(seed, 1) {}
  Rng init_rng;
  models::Vae vae;
  nn::Adam optimizer{vae.named_parameters(), nn::AdamOptions{}};
  Rng sampling_rng;
  Tape tape;

  float step(const Tensor& images) {
    tape.clear();
    models::ElboTerms terms = vae.elbo(tape.input(images), Var(), sampling_rng);
    optimizer.zero_grad();
    tape.backward(terms.loss);
    optimizer.step();
    return terms.loss.item();
  }
};

void report(const Settings& s, const std::string& line) {
  std::printf("%s\n", line.c_str());
  if (!s.json.empty()) {
    std::ofstream out(s.json, std::ios::app);
    out << line << "\n";
    if (!out) throw Error("--json " + s.json + ": cannot write");
  }
}

std::string header(const Settings& s, int threads) {
  char text[256];
  std::snprintf(text, sizeof text, R"({"bench": "vae_%s", "isa": "%s", "threads": %d)", s.mode.c_str(),
                kernels::isa_name(kernels::active_isa()), threads);
  return text;
}

double data_mib(const datasets::TrainTest& data) {
  return static_cast<double>(data.train.pixels.size() + data.train.labels.size() + data.test.pixels.size() +
                             data.test.labels.size()) / kMiB;
}

void run_step(const Settings& s, const datasets::TrainTest& data) {
  datasets::Batcher batcher(data.train, {.batch_size = 128, .seed = 1});
  batcher.start_epoch(1);
  const Tensor images = batcher.next()->images;
  for (int threads : s.threads) {
    kernels::set_thread_count(threads);
    Training training(config_for(s, data), s.seed);
    for (int i = 0; i < s.warmup; ++i) training.step(images);
    std::vector<double> milliseconds;
    milliseconds.reserve(static_cast<size_t>(s.steps));
    const long allocations_before = aevb::testing::allocation_count.load();
    float loss = 0;
    for (int i = 0; i < s.steps; ++i) {
      const auto start = Clock::now();
      loss = training.step(images);
      milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    const double allocations =
        static_cast<double>(aevb::testing::allocation_count.load() - allocations_before) / s.steps;
    // The bound: values, gradients and Adam's two moments of every parameter; the
    // tape's arena (one step's activations, their gradients and saved values).
    int64_t parameter_count = 0;
    for (const nn::NamedParameter& named : training.vae.named_parameters())
      parameter_count += named.parameter->value().numel();
    const double state_mib = static_cast<double>(parameter_count) * 4 * sizeof(float) / kMiB;
    const double activations_mib = static_cast<double>(training.tape.arena().bytes_reserved()) / kMiB;
    const double bound_mib = 1.2 * (data_mib(data) + state_mib + activations_mib);
    const double peak_mib = static_cast<double>(peak_resident_kib()) / 1024.0;
    const double baseline_mib = static_cast<double>(baseline_kib) / 1024.0;
    char text[768];
    std::snprintf(
        text, sizeof text,
        R"(, "steps": %d, "median_ms": %.3f, "p10_ms": %.3f, "p90_ms": %.3f, "allocations_per_step": %.2f, "peak_rss_mib": %.1f, "baseline_rss_mib": %.1f, "data_mib": %.1f, "parameter_state_mib": %.1f, "arena_mib": %.1f, "bound_mib": %.1f, "peak_above_baseline_within_bound": %s, "last_loss": %.3f})",
        s.steps, percentile(milliseconds, 0.5), percentile(milliseconds, 0.1), percentile(milliseconds, 0.9),
        allocations, peak_mib, baseline_mib, data_mib(data), state_mib, activations_mib, bound_mib,
        peak_mib - baseline_mib <= bound_mib ? "true" : "false", loss);
    report(s, header(s, threads) + text);
  }
}

void run_epoch(const Settings& s, const datasets::TrainTest& data) {
  for (int threads : s.threads) {
    kernels::set_thread_count(threads);
    Training training(config_for(s, data), s.seed);
    datasets::Batcher batcher(data.train, {.batch_size = 128, .seed = s.seed});
    datasets::Batcher test_batcher(data.test, {.batch_size = 1000, .shuffle = false});
    // One warm-up epoch over 20 batches: page faults and first-touch allocations.
    batcher.start_epoch(0);
    for (int i = 0; i < 20; ++i)
      if (const datasets::Batch* batch = batcher.next()) training.step(batch->images);

    for (int epoch = 1; epoch <= s.epochs; ++epoch) {
    const auto start = Clock::now();
    batcher.start_epoch(epoch);
    double loss_sum = 0;
    int64_t images = 0;
    while (const datasets::Batch* batch = batcher.next()) {
      loss_sum += static_cast<double>(training.step(batch->images)) * static_cast<double>(batch->size);
      images += batch->size;
    }
    const double train_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    double test_sum = 0;
    {
      NoGradGuard no_grad;
      test_batcher.start_epoch(1);
      while (const datasets::Batch* batch = test_batcher.next()) {
        training.tape.clear();
        models::ElboTerms terms = training.vae.elbo(training.tape.input(batch->images), Var(), training.sampling_rng);
        test_sum +=
            static_cast<double>(terms.reconstruction.item() + terms.kl.item()) * static_cast<double>(batch->size);
      }
    }
    const double total_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    char text[512];
    std::snprintf(
        text, sizeof text,
        R"(, "architecture": "%s", "seed": %llu, "epoch": %d, "data": "%s", "images": %lld, "train_seconds": %.3f, "test_pass_seconds": %.3f, "epoch_seconds": %.3f, "images_per_second": %.0f, "train_neg_elbo": %.2f, "test_neg_elbo": %.2f, "peak_rss_mib": %.1f})",
        s.architecture.c_str(), static_cast<unsigned long long>(s.seed), epoch, s.data.c_str(),
        static_cast<long long>(images), train_seconds, total_seconds - train_seconds, total_seconds,
        static_cast<double>(images) / train_seconds, loss_sum / static_cast<double>(images),
        test_sum / static_cast<double>(data.test.count), static_cast<double>(peak_resident_kib()) / 1024.0);
    report(s, header(s, threads) + text);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"End-to-end VAE benchmarks: one training step, or a whole epoch"};
  app.add_option("mode", settings.mode, "step or epoch")->required()->check(CLI::IsMember({"step", "epoch"}));
  app.add_option("--threads", settings.threads, "thread counts, comma-separated")
      ->delimiter(',')
      ->check(CLI::Range(1, 1024));
  app.add_option("--steps", settings.steps, "timed steps (step)")->check(CLI::Range(1, 1000000));
  app.add_option("--warmup", settings.warmup, "untimed steps first (step)")->check(CLI::Range(1, 1000000));
  app.add_option("--data", settings.data, "mnist-subset, fashion-mnist, idx:DIR or frey:FILE");
  app.add_option("--json", settings.json, "append each run as a JSON line to this file");
  app.add_option("--architecture", settings.architecture, "mlp (the classic VAE) or conv (the convolutional VAE)")
      ->check(CLI::IsMember({"mlp", "conv"}));
  app.add_option("--epochs", settings.epochs, "epochs (epoch): one line after each")->check(CLI::Range(1, 1000));
  app.add_option("--seed", settings.seed, "seed of the initialization, shuffling and sampling");
  if (int status = examples::parse_flags(app, argc, argv); status >= 0) return status;
  try {
    baseline_kib = status_kib("VmRSS:");
    const datasets::TrainTest data = datasets::load_dataset(settings.data);
    if (settings.mode == "step")
      run_step(settings, data);
    else
      run_epoch(settings, data);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "vae: %s\n", error.what());
    return 1;
  }
  return 0;
}
