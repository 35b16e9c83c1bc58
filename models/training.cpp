#include "models/training.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <new>

#include "autodiff/error.h"
#include "datasets/image_grid.h"
#include "models/classifier.h"
#include "models/pictures.h"
#include "models/progress.h"
#include "models/run_folder.h"
#include "models/run_log.h"
#include "nn/checkpoint.h"
#include "nn/optimizer.h"

namespace aevb::models {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kEvaluationBatch = 500;
constexpr int64_t kPictureCount = 16;
constexpr int64_t kSampleCount = 64;
constexpr int64_t kManifoldSide = 20;
constexpr int64_t kJudgedPerClass = 1000;
constexpr int64_t kLargestPictureSide = 256;  // images drawn up to 256 x 256 pixels
constexpr uint64_t kMostEpochs = 100000;      // as --epochs allows
// The random streams, each named: training's draws, then one generator per use.
constexpr uint64_t kSamplingStream = 1, kJudgeStream = 997, kEstimateStream = 998, kPictureStream = 999,
                   kEvaluationStream = 1000;  // + the epoch

// Everything a run may write into --out: a folder of one of these names is refused.
const std::vector<std::string> kNamesWritten = {
    "metrics.jsonl", "layers.tsv", "layers.gnuplot", "layers.png", "curves.gnuplot", "curves.png", "checkpoint.aevb",
    "reconstructions.png", "samples.png", "latent.png", "manifold.png", "conditional.png", "denoising.png"};

// What identifies the data a run trained on: sizes, classes and a checksum of every
// pixel and label (the path may differ between machines; the data may not).
std::string data_identity(const datasets::TrainTest& data) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  for (const datasets::ImageSet* set : {&data.train, &data.test}) {
    crc = ::crc32_z(crc, set->pixels.data(), set->pixels.size());
    crc = ::crc32_z(crc, set->labels.data(), set->labels.size());
  }
  char text[160];
  std::snprintf(text, sizeof text, "%lld training and %lld test images of %lldx%lld, %d classes, CRC-32 %08lx",
                static_cast<long long>(data.train.count), static_cast<long long>(data.test.count),
                static_cast<long long>(data.train.rows), static_cast<long long>(data.train.columns), data.train.classes,
                static_cast<unsigned long>(crc));
  return text;
}

// A flag's value as the user would write it: the shortest text that reads back as the
// same float (0.01, not 0.00999999978).
std::string number_text(float value) {
  char text[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  return text;
}

std::string sizes_text(const std::vector<int64_t>& sizes) {
  std::string text;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(sizes[i]);
  }
  return text;
}

// The flags every training run records in its checkpoint: all that change what it
// computes (not --epochs, which a resumed run may extend, nor --threads, which
// changes no bit, nor where it writes).
std::map<std::string, std::string> common_configuration(const TrainingOptions& options, const datasets::TrainTest& data) {
  return {{"--data", data_identity(data)},
          {"--batch", std::to_string(options.batch)},
          {"--optimizer", options.optimizer},
          {"--lr", number_text(options.learning_rate)},
          {"--weight-decay", number_text(options.weight_decay)},
          {"--binarize", datasets::to_string(options.binarization)},
          {"--seed", std::to_string(options.seed)}};
}

std::map<std::string, std::string> vae_configuration(const TrainingOptions& options, const VaeConfig& config,
                                                     const datasets::TrainTest& data) {
  auto configuration = common_configuration(options, data);
  configuration.insert({{"model", config.conditions > 0 ? "cvae" : "vae"},
                        {"--hidden", sizes_text(config.hidden)},
                        {"--latent", std::to_string(config.latent)},
                        {"--activation", nn::to_string(config.activation)},
                        {"--init", config.init ? nn::to_string(*config.init) : "default"},
                        {"--likelihood", to_string(config.likelihood)},
                        {"--posterior", to_string(config.posterior)},
                        {"--learned-prior", config.learned_prior ? "yes" : "no"},
                        {"--beta", number_text(options.beta)},
                        {"--warmup-epochs", std::to_string(options.warmup_epochs)},
                        {"--free-bits", number_text(options.free_bits)}});
  return configuration;
}

std::unique_ptr<nn::Optimizer> make_optimizer(const TrainingOptions& options, std::vector<nn::NamedParameter> parameters) {
  if (options.optimizer == "adam")
    return std::make_unique<nn::Adam>(parameters, nn::AdamOptions{.learning_rate = options.learning_rate, .weight_decay = options.weight_decay});
  if (options.optimizer == "adagrad")
    return std::make_unique<nn::Adagrad>(parameters, nn::AdagradOptions{.learning_rate = options.learning_rate, .weight_decay = options.weight_decay});
  if (options.optimizer == "sgd")
    return std::make_unique<nn::Sgd>(parameters, nn::SgdOptions{.learning_rate = options.learning_rate, .weight_decay = options.weight_decay});
  fail("unknown optimizer '", options.optimizer, "': expected adam, adagrad or sgd");
}

// The test set as floats, binarized once with a fixed seed when training binarizes
// (the protocol of the IWAE paper: a fixed binarization of the test set).
struct EvaluationSet {
  Tensor images, one_hot;
  std::vector<int> labels;
};
EvaluationSet evaluation_set(const datasets::ImageSet& test, const TrainingOptions& options, bool one_hot) {
  datasets::Binarization fixed = options.binarization == datasets::Binarization::dynamic ? datasets::Binarization::sample
                                                                                          : options.binarization;
  datasets::Batcher batcher(test, {.batch_size = test.count, .shuffle = false, .one_hot = one_hot, .binarization = fixed,
                                   .seed = options.seed});
  const datasets::Batch* all = batcher.next();
  return {all->images, one_hot ? all->one_hot : Tensor(), all->labels};
}

Var rows_of(Tape& tape, const Tensor& t, int64_t first, int64_t count) {
  const int64_t width = t.shape()[1];
  return tape.input(Shape{count, width}, t.data() + first * width);
}

// Evenly spaced test images, so every class appears in the pictures.
std::vector<int64_t> spread_indices(int64_t total, int64_t count) {
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < count; ++i) indices.push_back(i * total / count);
  return indices;
}

Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& indices) {
  const int64_t width = t.shape()[1];
  Tensor out({static_cast<int64_t>(indices.size()), width});
  for (size_t i = 0; i < indices.size(); ++i)
    std::copy_n(t.data() + indices[i] * width, width, out.data() + static_cast<int64_t>(i) * width);
  return out;
}

Tensor one_hot_rows(const std::vector<int>& classes, int64_t count) {
  Tensor out({static_cast<int64_t>(classes.size()), count});
  for (size_t i = 0; i < classes.size(); ++i) {
    check(classes[i] >= 0 && classes[i] < count, "one_hot_rows: class ", classes[i], " of row ", i, " is not in [0, ",
          count, ")");
    out[static_cast<int64_t>(i) * count + classes[i]] = 1.0f;
  }
  return out;
}

// The legend's names: each class's digit or name; one entry for an unlabelled set.
std::vector<std::string> legend_names(const datasets::ImageSet& set) {
  if (!set.labelled()) return {"unlabelled"};
  std::vector<std::string> names;
  for (int c = 0; c < set.classes; ++c) names.push_back(set.class_name(c));
  return names;
}

std::string path_in(const TrainingOptions& options, const std::string& name) { return (fs::path(options.out) / name).string(); }

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

double l2_norm(const Tensor& t) { return std::sqrt(nn::squared_l2_norm(t)); }

// The parameter tensor whose gradient has the largest L2 norm, a non-finite one first.
std::string largest_gradient(const nn::Optimizer& optimizer) {
  std::string largest = "none";
  double largest_rank = -1;
  for (const nn::NamedParameter& named : optimizer.parameters()) {
    const double norm = l2_norm(named.parameter->grad());
    const double rank = std::isfinite(norm) ? norm : std::numeric_limits<double>::infinity();  // NaN too
    if (rank > largest_rank) {
      largest_rank = rank;
      largest = named.name + " (norm " + format("%g", norm) + ")";
    }
  }
  return largest;
}

// Training that diverged stops here: with where, why, the parameter with the largest
// gradient (of this step, or of the last one when this step's forward failed), and
// the checkpoint that is still good, which nothing after it has touched.
[[noreturn]] void stop_diverged(const RunFolder& folder, const std::string& why, int epoch, int64_t step,
                                const nn::Optimizer& optimizer, uint64_t checkpoint_epoch) {
  fail("training diverged at epoch ", epoch, ", step ", step, ": ", why,
       "; the largest gradient of the last backward pass is in ", largest_gradient(optimizer), "; ",
       checkpoint_epoch > 0 ? "the last good checkpoint is " + folder.path("checkpoint.aevb") + " (after epoch " +
                                  std::to_string(checkpoint_epoch) + ")"
                            : std::string("no checkpoint was written yet"));
}

// Per parameter tensor at one step: |gradient|, |weight| and |update| / |weight|.
struct LayerStatistics {
  std::vector<std::string> names;
  std::vector<double> gradient_norm, weight_norm, update_ratio;
};

// Runs the optimizer's step and measures it (the weights are copied first: once an epoch).
LayerStatistics measured_step(nn::Optimizer& optimizer) {
  LayerStatistics stats;
  std::vector<Tensor> before;
  for (const nn::NamedParameter& named : optimizer.parameters()) before.push_back(named.parameter->value());
  for (const nn::NamedParameter& named : optimizer.parameters()) stats.gradient_norm.push_back(l2_norm(named.parameter->grad()));
  optimizer.step();
  for (size_t p = 0; p < before.size(); ++p) {
    const Tensor& after = optimizer.parameters()[p].parameter->value();
    double change = 0;
    for (int64_t i = 0; i < after.numel(); ++i) change += std::pow(static_cast<double>(after[i]) - before[p][i], 2);
    stats.names.push_back(optimizer.parameters()[p].name);
    stats.weight_norm.push_back(l2_norm(after));
    stats.update_ratio.push_back(std::sqrt(change) / std::max(1e-30, stats.weight_norm.back()));
  }
  return stats;
}

std::string layers_header(const nn::Optimizer& optimizer) {
  std::string header = "epoch";
  for (const char* what : {"gradient_norm", "update_ratio"})
    for (const nn::NamedParameter& named : optimizer.parameters()) header += "\t" + named.name + ":" + what;
  return header;
}

std::string layers_row(int epoch, const LayerStatistics& stats) {
  std::string row = std::to_string(epoch);
  char number[32];
  for (const std::vector<double>* column : {&stats.gradient_norm, &stats.update_ratio})
    for (double v : *column) {
      std::snprintf(number, sizeof number, "\t%.6g", v);
      row += number;
    }
  return row;
}

// layers.png from layers.tsv: gradient norms and update/weight ratios per parameter
// tensor over the epochs, on log scales.
std::string layers_script(size_t parameters) {
  // noenhanced: parameter names hold '_', which gnuplot would read as a subscript.
  return "set terminal pngcairo size 1000,800 noenhanced\nset output output_file\n"
         "set datafile separator '\\t'\nset key outside right font ',8'\nset logscale y\n"
         "set multiplot layout 2,1\nset title 'gradient norm per parameter tensor (last step of each epoch)'\n"
         "plot for [c=2:" + std::to_string(parameters + 1) + "] 'layers.tsv' using 1:c with linespoints title columnheader(c)\n"
         "set title 'update / weight norm ratio'\nset xlabel 'epoch'\n"
         "plot for [c=" + std::to_string(parameters + 2) + ":" + std::to_string(2 * parameters + 1) +
         "] 'layers.tsv' using 1:c with linespoints title columnheader(c)\nunset multiplot\n";
}

// Everything a run checks before it writes: the folder, the data against what the
// pictures can draw, and, when resuming, the checkpoint against this run's
// configuration (refused naming the flag and both values) and counters, and the logs
// it continues. Loads the checkpoint into the model, optimizer and generator. Throws
// InputError with nothing written.
nn::TrainingProgress check_and_resume(const TrainingOptions& options, const std::map<std::string, std::string>& configuration,
                                      const datasets::TrainTest& data, int64_t batches_per_epoch, nn::Module& model,
                                      nn::Optimizer& optimizer, Rng& rng, std::vector<RunLog*> logs) {
  RunFolder::check_usable(options.out, kNamesWritten);
  for (const datasets::ImageSet* set : {&data.train, &data.test})
    if (set->rows > kLargestPictureSide || set->columns > kLargestPictureSide)
      refuse("--data: images of ", set->rows, "x", set->columns, " pixels are larger than the pictures draw (at most ",
             kLargestPictureSide, "x", kLargestPictureSide, ")");
  if (options.resume.empty()) return {};
  nn::CheckpointContents contents;
  try {
    contents = nn::read_checkpoint_for(options.resume, model, optimizer);
  } catch (const Error& error) {
    refuse("--resume: ", error.what());
  }
  if (contents.texts.empty())
    refuse("--resume: '", options.resume, "' does not record the configuration it was trained with (an earlier aevb ",
           "wrote it), so resuming it cannot be checked; start a new run");
  for (const auto& [flag, ours] : configuration) {
    const auto theirs = contents.texts.find(flag);
    const std::string recorded = theirs == contents.texts.end() ? "(none recorded)" : theirs->second;
    if (recorded != ours)
      refuse("--resume: '", options.resume, "' was trained with ", flag, " ", recorded, "; this run has ", flag, " ",
             ours, " (resume with the flags it was trained with)");
  }
  const uint64_t epoch = contents.counters.count("epoch") ? contents.counters.at("epoch") : 0;
  const uint64_t step = contents.counters.count("step") ? contents.counters.at("step") : 0;
  if (epoch > kMostEpochs || step != epoch * static_cast<uint64_t>(batches_per_epoch))
    refuse("--resume: '", options.resume, "' claims epoch ", epoch, " and step ", step, ", which a run of ",
           batches_per_epoch, " batches per epoch cannot reach");
  nn::TrainingProgress done;
  try {
    done = nn::load_checkpoint(std::move(contents), options.resume, model, optimizer, rng);
  } catch (const Error& error) {
    refuse("--resume: ", error.what());
  }
  for (RunLog* log : logs) log->keep_epochs_from((fs::path(options.out) / log->name()).string(), done.epoch);
  return done;
}

// The panels of curves.png: what a VAE and an autoencoder minimize, train and test.
const std::vector<CurvePanel> kVaeCurves = {
    {"-ELBO (lower is better)", {{"train_neg_elbo", "train"}, {"test_neg_elbo", "test"}}},
    {"its first term, the reconstruction -E_q log p(x|z)", {{"train_recon", "train"}, {"test_recon", "test"}}},
    {"its second term, KL(q(z|x) || p(z))", {{"train_kl", "train"}, {"test_kl", "test"}}}};
const std::vector<CurvePanel> kAutoencoderCurves = {
    {"reconstruction loss (binary cross-entropy, lower is better)", {{"train_recon", "train"}, {"test_recon", "test"}}}};

// curves.png and, with rows in layers.tsv, layers.png; a missing gnuplot is said once.
void draw_plots(const TrainingOptions& options, const RunFolder& folder, const RunLog& metrics, const RunLog* layers,
                const std::vector<CurvePanel>& panels, size_t parameters) {
  if (metrics.lines().empty()) return;
  std::string note = plot_with_gnuplot(folder, "curves", curves_script(metrics, panels));
  if (note.empty() && layers != nullptr && !layers->lines().empty())
    note = plot_with_gnuplot(folder, "layers", layers_script(parameters));
  if (!note.empty() && !options.quiet) std::printf("%s\n", note.c_str());
}

void say(const TrainingOptions& options, const std::string& line) {
  if (!options.quiet) std::printf("%s\n", line.c_str());
}

struct VaeEvaluation {
  double neg_elbo = 0, reconstruction = 0, kl = 0;
  std::vector<double> kl_per_dimension;
};

VaeEvaluation evaluate_vae(Vae& vae, const EvaluationSet& test, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t count = test.images.shape()[0], z = vae.config().latent;
  VaeEvaluation result;
  result.kl_per_dimension.assign(static_cast<size_t>(z), 0.0);
  for (int64_t first = 0; first < count; first += kEvaluationBatch) {
    const int64_t n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    Var condition = vae.config().conditions > 0 ? rows_of(tape, test.one_hot, first, n) : Var();
    ElboTerms terms = vae.elbo(rows_of(tape, test.images, first, n), condition, rng);
    const double weight = static_cast<double>(n) / static_cast<double>(count);
    result.reconstruction += terms.reconstruction.item() * weight;
    result.kl += terms.kl.item() * weight;
    for (int64_t j = 0; j < z; ++j) result.kl_per_dimension[static_cast<size_t>(j)] += terms.kl_per_dimension.data()[j] * weight;
  }
  result.neg_elbo = result.reconstruction + result.kl;
  return result;
}

void write_vae_pictures(Vae& vae, const TrainingOptions& options, const datasets::ImageSet& test_set,
                        const EvaluationSet& test, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const VaeConfig& config = vae.config();
  const int64_t height = test_set.rows, width = test_set.columns, c = config.conditions, z = config.latent;
  const bool conditional = c > 0;

  // Reconstructions: decoder means of the posterior means.
  std::vector<int64_t> shown = spread_indices(test.images.shape()[0], kPictureCount);
  Tensor originals = gather_rows(test.images, shown);
  Var condition = conditional ? tape.input(gather_rows(test.one_hot, shown)) : Var();
  Var loc = vae.posterior(tape.input(originals), condition)->loc();
  Tensor reconstructions = vae.decoder_mean(vae.decode(loc, condition)).value();
  write_pairs_png(path_in(options, "reconstructions.png"), {&originals, &reconstructions}, kPictureCount, height, width);

  // Samples from the prior (a CVAE's cycle through the classes).
  std::vector<int> sample_classes;
  for (int64_t i = 0; i < kSampleCount; ++i) sample_classes.push_back(static_cast<int>(i % std::max<int64_t>(1, c)));
  tape.clear();
  Var sample_condition = conditional ? tape.input(one_hot_rows(sample_classes, c)) : Var();
  Var z_prior = vae.prior(tape, sample_condition, kSampleCount)->rsample(rng);
  Tensor samples = vae.decoder_mean(vae.decode(z_prior, sample_condition)).value();
  datasets::write_image_grid_png(path_in(options, "samples.png"), samples.data(), kSampleCount, height, width, 8, 2);

  // The learned manifold (Figure 4): the decoder over Phi^-1 of a grid, for a 2-D latent.
  if (z == 2 && !conditional) {
    tape.clear();
    Tensor grid = latent_grid(kManifoldSide);
    Tensor manifold = vae.decoder_mean(vae.decode(tape.input(grid), Var())).value();
    datasets::write_image_grid_png(path_in(options, "manifold.png"), manifold.data(), kManifoldSide * kManifoldSide, height,
                                   width, kManifoldSide, 1);
  }

  // The test set's posterior means, coloured by class (first two principal components for Z > 2).
  const int64_t count = test.images.shape()[0];
  Tensor codes({count, z});
  for (int64_t first = 0; first < count; first += kEvaluationBatch) {
    const int64_t n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    Var cond = conditional ? rows_of(tape, test.one_hot, first, n) : Var();
    Var means = vae.posterior(rows_of(tape, test.images, first, n), cond)->loc();
    std::copy_n(means.data(), n * z, codes.data() + first * z);
  }
  std::vector<int> labels = test.labels.empty() ? std::vector<int>(static_cast<size_t>(count), 0) : test.labels;
  write_latent_png(path_in(options, "latent.png"), codes, labels, legend_names(test_set), "posterior means");

  if (conditional) {  // One row per class, or a grid of one digit.
    std::vector<int> classes;
    if (options.digit >= 0)
      classes.assign(static_cast<size_t>(kSampleCount), options.digit);
    else
      for (int64_t row = 0; row < c; ++row)
        for (int64_t column = 0; column < 10; ++column) classes.push_back(static_cast<int>(row));
    tape.clear();
    Var cond = tape.input(one_hot_rows(classes, c));
    Var drawn = vae.prior(tape, cond, static_cast<int64_t>(classes.size()))->rsample(rng);
    Tensor digits = vae.decoder_mean(vae.decode(drawn, cond)).value();
    const std::string name = options.digit >= 0 ? "digit_" + std::to_string(options.digit) + ".png" : "conditional.png";
    // Each row named by its class: the digit, or Fashion-MNIST's name.
    std::vector<std::string> row_labels;
    if (options.digit >= 0)
      row_labels.assign(static_cast<size_t>(kSampleCount / 8), test_set.class_name(options.digit));
    else
      for (int64_t row = 0; row < c; ++row) row_labels.push_back(test_set.class_name(static_cast<int>(row)));
    datasets::write_image_grid_png(path_in(options, name), digits.data(), static_cast<int64_t>(classes.size()), height,
                                   width, options.digit >= 0 ? 8 : 10, 2, row_labels);
  }
}

// The judge labels kJudgedPerClass decoder means per class, drawn from p(z | c).
std::vector<double> conditional_accuracy(Vae& vae, Classifier& judge, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t c = vae.config().conditions;
  std::vector<double> accuracy;
  for (int64_t label = 0; label < c; ++label) {
    tape.clear();
    Var cond = tape.input(one_hot_rows(std::vector<int>(kJudgedPerClass, static_cast<int>(label)), c));
    Var drawn = vae.prior(tape, cond, kJudgedPerClass)->rsample(rng);
    Tensor images = vae.decoder_mean(vae.decode(drawn, cond)).value();
    std::vector<int> predicted = judge.predict(images.data(), kJudgedPerClass);
    accuracy.push_back(static_cast<double>(std::count(predicted.begin(), predicted.end(), static_cast<int>(label))) /
                       static_cast<double>(kJudgedPerClass));
  }
  return accuracy;
}


}  // namespace

Denoising parse_denoising(const std::string& name) {
  if (name == "none") return Denoising::none;
  if (name == "gaussian") return Denoising::gaussian;
  if (name == "mask") return Denoising::mask;
  fail("unknown denoising '", name, "': expected gaussian or mask");
}

namespace {

// The VAE's run; `phase` says what it is doing, for a message if memory runs out.
TrainingResult run_vae(const TrainingOptions& options, const VaeConfig& config, const datasets::TrainTest& data,
                       std::string& phase) {
  const bool conditional = config.conditions > 0;
  // Checked first, all of it, with nothing written (InputError: the programs exit 2).
  phase = "checking the run";
  if (data.train.pixels_per_image() != config.inputs)
    refuse("--data: images have ", data.train.pixels_per_image(), " pixels, the model reads ", config.inputs);
  if (conditional && !data.train.labelled()) refuse("--data: a CVAE needs labels, and '", data.train.name, "' has none");
  if (conditional && options.digit >= config.conditions)
    refuse("--digit: ", options.digit, " is not a class of --data, whose classes are 0 to ", config.conditions - 1);
  std::unique_ptr<Classifier> judge;
  if (!options.judge.empty()) {
    try {
      judge = load_classifier(options.judge);
    } catch (const Error& error) {
      refuse("--judge: ", error.what());
    }
    if (judge->config().inputs != config.inputs || judge->config().classes != config.conditions)
      refuse("--judge: '", options.judge, "' classifies images of ", judge->config().inputs, " pixels into ",
             judge->config().classes, " classes; --data has images of ", config.inputs, " pixels in ", config.conditions,
             " classes");
  }
  phase = "building the model";
  Rng init_rng(options.seed);
  Vae vae(config, init_rng);
  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(options, vae.named_parameters());
  Rng sampling_rng(options.seed, kSamplingStream);
  datasets::Batcher batcher(data.train, {.batch_size = options.batch, .one_hot = conditional,
                                         .binarization = options.binarization, .seed = options.seed});
  RunLog metrics("metrics.jsonl"), layers("layers.tsv", layers_header(*optimizer));
  const std::map<std::string, std::string> configuration = vae_configuration(options, config, data);
  phase = "reading the checkpoint to resume";
  const nn::TrainingProgress done = check_and_resume(options, configuration, data, batcher.batches_per_epoch(), vae,
                                                     *optimizer, sampling_rng, {&metrics, &layers});
  // Now the folder is ours: one run at a time.
  const RunFolder folder(options.out, conditional ? "train_cvae" : "train_vae");
  if (!options.resume.empty()) say(options, "resumed from " + options.resume + " after epoch " + std::to_string(done.epoch));
  phase = "preparing the test set";
  EvaluationSet test = evaluation_set(data.test, options, conditional);
  say(options, std::string(conditional ? "CVAE" : "VAE") + ": " + std::to_string(vae.parameter_count()) +
                   " parameters, latent " + std::to_string(config.latent) + ", " + to_string(config.posterior) +
                   " posterior, " + to_string(config.likelihood) + " likelihood, " + options.optimizer + " lr " +
                   format("%g", options.learning_rate) + ", " + std::to_string(data.train.count) + " training images");
  phase = "training";

  Progress progress(options.epochs, batcher.batches_per_epoch());
  Tape tape;
  TrainingResult result;
  const int64_t warmup_steps = static_cast<int64_t>(options.warmup_epochs) * batcher.batches_per_epoch();
  int64_t step = static_cast<int64_t>(done.step);
  uint64_t checkpoint_epoch = done.epoch;  // the last checkpoint written or resumed from
  for (int epoch = static_cast<int>(done.epoch) + 1; epoch <= options.epochs; ++epoch) {
    progress.start_epoch(epoch);
    batcher.start_epoch(epoch);
    double neg_elbo_sum = 0, recon_sum = 0, kl_sum = 0;
    int64_t images = 0, batch_index = 0;
    LayerStatistics layer_statistics;
    while (const datasets::Batch* batch = batcher.next()) {
      tape.clear();
      float warmup = warmup_steps > 0 ? std::min(1.0f, static_cast<float>(step + 1) / static_cast<float>(warmup_steps)) : 1.0f;
      double neg_elbo = 0, recon = 0, kl = 0;
      std::string diverged;  // why this step diverged, if it did
      try {
        Var condition = conditional ? tape.input(batch->one_hot) : Var();
        ElboTerms terms = vae.elbo(tape.input(batch->images), condition, sampling_rng,
                                   {.kl_weight = options.beta * warmup, .free_bits = options.free_bits});
        recon = terms.reconstruction.item();
        kl = terms.kl.item();
        neg_elbo = recon + kl;
        optimizer->zero_grad();
        tape.backward(terms.loss);
        // Checked before the update, so that non-finite gradients never reach the weights.
        if (!std::isfinite(neg_elbo) || !std::isfinite(terms.loss.item()))
          diverged = "the loss became " + format("%g", neg_elbo);
      } catch (const Error& error) {
        // A distribution refusing its parameters (a scale of 0 or inf) is divergence too.
        // An error at the run's first step is not: the set-up is wrong (a shape, say).
        if (step == static_cast<int64_t>(done.step)) throw;
        diverged = error.what();
      }
      if (!diverged.empty()) stop_diverged(folder, diverged, epoch, step + 1, *optimizer, checkpoint_epoch);
      if (batch_index + 1 == batcher.batches_per_epoch())
        layer_statistics = measured_step(*optimizer);  // the epoch's last step, measured
      else
        optimizer->step();
      ++step;
      neg_elbo_sum += neg_elbo * static_cast<double>(batch->size);
      recon_sum += recon * static_cast<double>(batch->size);
      kl_sum += kl * static_cast<double>(batch->size);
      images += batch->size;
      progress.batch_done(batch_index++, batch->size, neg_elbo_sum / static_cast<double>(images));
    }
    const double seconds = progress.epoch_seconds(), speed = progress.images_per_second();
    Rng evaluation_rng(options.seed, kEvaluationStream + static_cast<uint64_t>(epoch));
    VaeEvaluation evaluation = evaluate_vae(vae, test, evaluation_rng);
    int active = 0;
    for (double kl : evaluation.kl_per_dimension) active += kl > 0.01;
    JsonLine per_layer;
    for (size_t p = 0; p < layer_statistics.names.size(); ++p)
      per_layer.add_object(layer_statistics.names[p], JsonLine()
                                                          .add("gradient_norm", layer_statistics.gradient_norm[p])
                                                          .add("weight_norm", layer_statistics.weight_norm[p])
                                                          .add("update_ratio", layer_statistics.update_ratio[p]));
    metrics.add(JsonLine()
                      .add("epoch", epoch)
                      .add("train_neg_elbo", neg_elbo_sum / static_cast<double>(images))
                      .add("train_recon", recon_sum / static_cast<double>(images))
                      .add("train_kl", kl_sum / static_cast<double>(images))
                      .add("test_neg_elbo", evaluation.neg_elbo)
                      .add("test_recon", evaluation.reconstruction)
                      .add("test_kl", evaluation.kl)
                      .add("active_units", active)
                      .add("seconds", seconds)
                      .add("images_per_second", speed)
                      .add_numbers("test_kl_per_dimension", evaluation.kl_per_dimension)
                      .add_object("layers", per_layer)
                      .str());
    metrics.write(folder);
    if (!layer_statistics.names.empty()) {
      layers.add(layers_row(epoch, layer_statistics));
      layers.write(folder);
    }
    // The checkpoint last: it commits the epoch. A kill before it leaves log lines of an
    // epoch the checkpoint lacks, which resume drops and computes again, the same.
    nn::save_checkpoint(folder.path("checkpoint.aevb"), vae, *optimizer, sampling_rng,
                        {static_cast<uint64_t>(epoch), static_cast<uint64_t>(step)}, configuration);
    checkpoint_epoch = static_cast<uint64_t>(epoch);
    if (!options.quiet)
      progress.end_epoch(format("train -ELBO %.2f  test -ELBO %.2f (recon %.2f", neg_elbo_sum / static_cast<double>(images),
                                evaluation.neg_elbo, evaluation.reconstruction) +
                         format(", KL %.2f)", evaluation.kl));
    result.test_neg_elbo = evaluation.neg_elbo;
    ++result.epochs_run;
    if (config.latent > 1 && active * 2 < config.latent)
      say(options, "warning: only " + std::to_string(active) + " of " + std::to_string(config.latent) +
                       " latent units are active (KL > 0.01 nats): most have collapsed to the prior");
  }
  if (result.epochs_run == 0) {  // nothing left to train: the last epoch's evaluation, drawn again identically
    Rng evaluation_rng(options.seed, kEvaluationStream + done.epoch);
    result.test_neg_elbo = evaluate_vae(vae, test, evaluation_rng).neg_elbo;
  }

  phase = "drawing the pictures";
  Rng picture_rng(options.seed, kPictureStream);
  write_vae_pictures(vae, options, data.test, test, picture_rng);
  draw_plots(options, folder, metrics, &layers, kVaeCurves, optimizer->parameters().size());
  JsonLine final_line;
  final_line.add_bool("final", true).add("epochs", options.epochs).add("test_neg_elbo", result.test_neg_elbo);
  if (options.eval_k > 0) {
    phase = "estimating -log p(x)";
    Rng estimate_rng(options.seed, kEstimateStream);
    result.test_neg_log_likelihood = negative_log_likelihood(
        vae, {test.images.data(), conditional ? test.one_hot.data() : nullptr, test.images.shape()[0]}, options.eval_k,
        estimate_rng);
    final_line.add("test_neg_log_likelihood", result.test_neg_log_likelihood).add("eval_k", static_cast<double>(options.eval_k));
    say(options, format("test -log p(x) ~ %.2f nats (importance sampling, K = %.0f); test -ELBO %.2f",
                        result.test_neg_log_likelihood, static_cast<double>(options.eval_k), result.test_neg_elbo));
  }
  if (judge) {
    phase = "judging the samples";
    Rng judge_rng(options.seed, kJudgeStream);
    std::vector<double> per_class = conditional_accuracy(vae, *judge, judge_rng);
    double average = 0;
    std::string line = "conditional accuracy (judge on 1000 samples per class):";
    for (size_t c = 0; c < per_class.size(); ++c) {
      line += format(" %.0f:", static_cast<double>(c)) + format("%.1f%%", 100 * per_class[c]);
      average += per_class[c] / static_cast<double>(per_class.size());
    }
    say(options, line);
    const double judge_accuracy = judge->accuracy(data.test);
    say(options, format("conditional accuracy %.2f%% on average; the judge labels %.2f%% of real test digits right",
                        100 * average, 100 * judge_accuracy));
    final_line.add("conditional_accuracy", average).add("judge_test_accuracy", judge_accuracy);
  }
  metrics.add(final_line.str());
  metrics.write(folder);
  return result;
}

TrainingResult run_autoencoder(const TrainingOptions& options, const AutoencoderConfig& config, Denoising denoising,
                               float noise, const datasets::TrainTest& data, std::string& phase) {
  phase = "checking the run";
  if (data.train.pixels_per_image() != config.inputs)
    refuse("--data: images have ", data.train.pixels_per_image(), " pixels, the model reads ", config.inputs);
  if (!std::isfinite(noise) || noise < 0.0f || noise > 1.0f) refuse("--noise: ", noise, " is outside [0 - 1]");
  phase = "building the model";
  Rng init_rng(options.seed);
  Autoencoder autoencoder(config, init_rng);
  std::unique_ptr<nn::Optimizer> optimizer = make_optimizer(options, autoencoder.named_parameters());
  Rng noise_rng(options.seed, kSamplingStream);
  datasets::Batcher batcher(data.train, {.batch_size = options.batch, .binarization = options.binarization, .seed = options.seed});
  RunLog metrics("metrics.jsonl");
  std::map<std::string, std::string> configuration = common_configuration(options, data);
  configuration.insert({{"model", "ae"},
                        {"--hidden", sizes_text(config.hidden)},
                        {"--latent", std::to_string(config.code)},
                        {"--activation", nn::to_string(config.activation)},
                        {"--denoise", denoising == Denoising::none ? "none" : denoising == Denoising::gaussian ? "gaussian" : "mask"},
                        {"--noise", number_text(noise)}});
  phase = "reading the checkpoint to resume";
  const nn::TrainingProgress done = check_and_resume(options, configuration, data, batcher.batches_per_epoch(),
                                                     autoencoder, *optimizer, noise_rng, {&metrics});
  const RunFolder folder(options.out, "train_ae");
  phase = "preparing the test set";
  EvaluationSet test = evaluation_set(data.test, options, false);
  phase = "training";
  auto corrupt = [&](Tensor& images, Rng& rng) {
    if (denoising == Denoising::gaussian) datasets::add_gaussian_noise(images, noise, rng);
    if (denoising == Denoising::mask) datasets::apply_masking_noise(images, noise, rng);
  };
  say(options, std::string(denoising == Denoising::none ? "autoencoder" : "denoising autoencoder") + ": " +
                   std::to_string(autoencoder.parameter_count()) + " parameters, code " + std::to_string(config.code));

  Progress progress(options.epochs, batcher.batches_per_epoch());
  Tape tape;
  Tensor corrupted;
  TrainingResult result;
  int64_t step = static_cast<int64_t>(done.step);
  auto test_loss = [&](uint64_t stream) {
    NoGradGuard no_grad;
    Rng rng(options.seed, stream);
    Tensor inputs = test.images;
    corrupt(inputs, rng);
    double total = 0;
    const int64_t count = test.images.shape()[0];
    for (int64_t first = 0; first < count; first += kEvaluationBatch) {
      const int64_t n = std::min(kEvaluationBatch, count - first);
      tape.clear();
      total += autoencoder.loss(rows_of(tape, inputs, first, n), rows_of(tape, test.images, first, n)).item() * static_cast<double>(n);
    }
    return total / static_cast<double>(count);
  };
  for (int epoch = static_cast<int>(done.epoch) + 1; epoch <= options.epochs; ++epoch) {
    progress.start_epoch(epoch);
    batcher.start_epoch(epoch);
    double loss_sum = 0;
    int64_t images = 0, batch_index = 0;
    while (const datasets::Batch* batch = batcher.next()) {
      corrupted = batch->images;
      corrupt(corrupted, noise_rng);
      tape.clear();
      Var loss = autoencoder.loss(tape.input(corrupted), tape.input(batch->images));
      optimizer->zero_grad();
      tape.backward(loss);
      // Checked before the update, as for the VAE.
      if (!std::isfinite(loss.item()))
        stop_diverged(folder, "the loss became " + format("%g", loss.item()), epoch, step + 1, *optimizer, done.epoch + result.epochs_run);
      optimizer->step();
      ++step;
      loss_sum += loss.item() * static_cast<double>(batch->size);
      images += batch->size;
      progress.batch_done(batch_index++, batch->size, loss_sum / static_cast<double>(images));
    }
    const double seconds = progress.epoch_seconds(), speed = progress.images_per_second();
    const double test_recon = test_loss(kEvaluationStream + static_cast<uint64_t>(epoch));
    metrics.add(JsonLine()
                    .add("epoch", epoch)
                    .add("train_recon", loss_sum / static_cast<double>(images))
                    .add("test_recon", test_recon)
                    .add("seconds", seconds)
                    .add("images_per_second", speed)
                    .str());
    metrics.write(folder);
    nn::save_checkpoint(folder.path("checkpoint.aevb"), autoencoder, *optimizer, noise_rng,
                        {static_cast<uint64_t>(epoch), static_cast<uint64_t>(step)}, configuration);  // commits the epoch
    if (!options.quiet)
      progress.end_epoch(format("train recon %.2f  test recon %.2f nats", loss_sum / static_cast<double>(images), test_recon));
    result.test_neg_elbo = test_recon;
    ++result.epochs_run;
  }

  if (result.epochs_run == 0) result.test_neg_elbo = test_loss(kEvaluationStream);

  // Pictures: reconstructions, codes by class, and for denoising clean / corrupted / restored.
  phase = "drawing the pictures";
  {
    NoGradGuard no_grad;
    const int64_t height = data.test.rows, width = data.test.columns, count = test.images.shape()[0];
    std::vector<int64_t> shown = spread_indices(count, kPictureCount);
    Tensor originals = gather_rows(test.images, shown), inputs = originals;
    Rng rng(options.seed, kPictureStream);
    corrupt(inputs, rng);
    tape.clear();
    Var logits;
    autoencoder.loss(tape.input(inputs), tape.input(originals), &logits);
    Tensor restored = sigmoid(logits).value();
    if (denoising == Denoising::none)
      write_pairs_png(path_in(options, "reconstructions.png"), {&originals, &restored}, kPictureCount, height, width);
    else
      write_pairs_png(path_in(options, "denoising.png"), {&originals, &inputs, &restored}, kPictureCount, height, width);
    Tensor codes({count, config.code});
    for (int64_t first = 0; first < count; first += kEvaluationBatch) {
      const int64_t n = std::min(kEvaluationBatch, count - first);
      tape.clear();
      Var h = autoencoder.encode(rows_of(tape, test.images, first, n));
      std::copy_n(h.data(), n * config.code, codes.data() + first * config.code);
    }
    std::vector<int> labels = test.labels.empty() ? std::vector<int>(static_cast<size_t>(count), 0) : test.labels;
    write_latent_png(path_in(options, "latent.png"), codes, labels, legend_names(data.test), "codes");
  }
  draw_plots(options, folder, metrics, nullptr, kAutoencoderCurves, 0);
  metrics.add(JsonLine().add_bool("final", true).add("epochs", options.epochs).add("test_recon", result.test_neg_elbo).str());
  metrics.write(folder);
  return result;
}

// Out of memory names what the run was doing and how big the model is.
template <class Run>
TrainingResult with_named_allocation_failure(const std::string& program, Run run) {
  std::string phase = "starting";
  try {
    return run(phase);
  } catch (const std::bad_alloc&) {
    fail(program, ": out of memory while ", phase, " (a smaller --hidden, --batch or data set needs less)");
  }
}

}  // namespace

TrainingResult train_vae(const TrainingOptions& options, const VaeConfig& config, const datasets::TrainTest& data) {
  return with_named_allocation_failure(config.conditions > 0 ? "train_cvae" : "train_vae",
                                       [&](std::string& phase) { return run_vae(options, config, data, phase); });
}

TrainingResult train_autoencoder(const TrainingOptions& options, const AutoencoderConfig& config, Denoising denoising,
                                 float noise, const datasets::TrainTest& data) {
  return with_named_allocation_failure("train_ae", [&](std::string& phase) {
    return run_autoencoder(options, config, denoising, noise, data, phase);
  });
}

}  // namespace aevb::models
