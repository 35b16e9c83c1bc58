#include "models/pictures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "autodiff/error.h"
#include "autodiff/kernels/special_functions.h"
#include "datasets/image_grid.h"

namespace aevb::models {
namespace {

constexpr int64_t kPictureCount = 16;  // reconstructions shown
constexpr int64_t kSampleCount = 64;   // samples drawn
constexpr int64_t kManifoldSide = 20;  // manifold.png: 20 x 20 latent points

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

// The legend's names: each class's digit or name; one entry for an unlabelled set.
std::vector<std::string> legend_names(const datasets::ImageSet& set) {
  if (!set.labelled()) return {"unlabelled"};
  std::vector<std::string> names;
  for (int c = 0; c < set.classes; ++c) names.push_back(set.class_name(c));
  return names;
}

std::string path_in(const std::string& out, const std::string& name) {
  return (std::filesystem::path(out) / name).string();
}

}  // namespace

void write_pairs_png(const std::string& path, const std::vector<const Tensor*>& rows_of_images, int64_t count,
                     int64_t height, int64_t width) {
  const int64_t pixels = height * width, rows = static_cast<int64_t>(rows_of_images.size());
  std::vector<float> grid(static_cast<size_t>(rows * count * pixels));
  for (int64_t r = 0; r < rows; ++r) {
    check(rows_of_images[static_cast<size_t>(r)]->numel() >= count * pixels, "write_pairs_png: row ", r,
          " holds fewer than ", count, " images");
    std::copy_n(rows_of_images[static_cast<size_t>(r)]->data(), count * pixels, grid.data() + r * count * pixels);
  }
  datasets::write_image_grid_png(path, grid.data(), rows * count, height, width, count, 2);
}

void write_scatter_png(const std::string& path, const Tensor& points, const std::vector<int>& labels,
                       const ScatterText& text) {
  const int64_t n = points.shape()[0], plot = 640, margin = 20, top = 56, legend_width = 200;
  check(points.shape().rank() == 2 && points.shape()[1] == 2 && static_cast<int64_t>(labels.size()) == n,
        "write_scatter_png: points ", points.shape(), " and ", labels.size(), " labels");
  // A square view that holds 99% of the points, so a few outliers do not shrink the rest.
  std::vector<float> magnitudes;
  for (int64_t i = 0; i < 2 * n; ++i)
    if (std::isfinite(points[i])) magnitudes.push_back(std::fabs(points[i]));
  std::sort(magnitudes.begin(), magnitudes.end());
  const float extent =
      magnitudes.empty()
          ? 1.0f
          : std::max(1e-6f, magnitudes[static_cast<size_t>(0.99 * static_cast<double>(magnitudes.size() - 1))]) * 1.05f;
  datasets::Canvas canvas(margin + plot + legend_width, top + plot + 44, 255);
  const int64_t left = margin, centre_x = left + plot / 2, centre_y = top + plot / 2, half = plot / 2 - 8;
  canvas.draw_text(margin, 12, text.title, 2, 0, 0, 0);
  canvas.fill_rect(left, top, plot, 1, 220, 220, 220);  // the frame
  canvas.fill_rect(left, top + plot - 1, plot, 1, 220, 220, 220);
  canvas.fill_rect(left, top, 1, plot, 220, 220, 220);
  canvas.fill_rect(left + plot - 1, top, 1, plot, 220, 220, 220);
  canvas.fill_rect(left, centre_y, plot, 1, 180, 180, 180);  // axes through 0
  canvas.fill_rect(centre_x, top, 1, plot, 180, 180, 180);
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(points[2 * i]) || !std::isfinite(points[2 * i + 1])) continue;
    uint8_t r, g, b;
    datasets::class_colour(labels[static_cast<size_t>(i)], r, g, b);
    const int64_t x =
        centre_x + static_cast<int64_t>(std::lround(std::clamp(points[2 * i] / extent, -1.0f, 1.0f) * half));
    const int64_t y =
        centre_y - static_cast<int64_t>(std::lround(std::clamp(points[2 * i + 1] / extent, -1.0f, 1.0f) * half));
    canvas.fill_rect(x - 1, y - 1, 3, 3, r, g, b);
  }
  char number[32];
  std::snprintf(number, sizeof number, "%.3g", static_cast<double>(extent * half / (plot / 2 - 8)));
  const std::string high = number, low = "-" + high;
  canvas.draw_text(left + plot - 4 - datasets::Canvas::text_width(high, 1), centre_y + 4, high, 1, 90, 90, 90);
  canvas.draw_text(left + 4, centre_y + 4, low, 1, 90, 90, 90);
  if (text.vertical_is_a_value) {
    canvas.draw_text(centre_x + 4, top + 4, high, 1, 90, 90, 90);
    canvas.draw_text(centre_x + 4, top + plot - 12, low, 1, 90, 90, 90);
  }
  canvas.draw_text(left, top + plot + 8, "across: " + text.x_axis, 2, 0, 0, 0);
  canvas.draw_text(left, top + plot + 26, "up: " + text.y_axis, 2, 0, 0, 0);
  // The legend: a swatch and a name per class that appears.
  const int64_t legend_left = left + plot + 16;
  int shown = 0;
  for (size_t c = 0; c < text.class_names.size(); ++c) {
    if (std::find(labels.begin(), labels.end(), static_cast<int>(c)) == labels.end()) continue;
    uint8_t r, g, b;
    datasets::class_colour(static_cast<int>(c), r, g, b);
    const int64_t y = top + 8 + shown++ * 28;
    canvas.fill_rect(legend_left, y, 16, 16, r, g, b);
    canvas.draw_text(legend_left + 24, y + 1, text.class_names[c], 2, 0, 0, 0);
  }
  canvas.write_png(path);
}

void write_latent_png(const std::string& path, const Tensor& codes, const std::vector<int>& labels,
                      const std::vector<std::string>& class_names, const std::string& what) {
  const int64_t n = codes.shape()[0], z = codes.shape()[1];
  ScatterText text{.class_names = class_names};
  Tensor points({n, 2});
  if (z == 1) {
    // One band per class, top to bottom, so that the classes' codes can be compared.
    const int classes = std::max<int>(1, static_cast<int>(class_names.size()));
    for (int64_t i = 0; i < n; ++i) {
      const double band = 1.0 - 2.0 * (labels[static_cast<size_t>(i)] + 0.5) / classes;
      const double jitter = (static_cast<double>((i * 2654435761u) % 1000) / 1000.0 - 0.5) * 1.2 / classes;
      points[2 * i] = codes[i];
      points[2 * i + 1] = static_cast<float>((band + jitter) * 3.0);
    }
    text.title = "test set " + what + " (1-D latent), coloured by class";
    text.x_axis = "z, the latent coordinate";
    text.y_axis = "the class, one band each (spread for visibility)";
    text.vertical_is_a_value = false;
  } else if (z == 2) {
    points = codes;
    text.title = "test set " + what + " (2-D), coloured by class";
    text.x_axis = "z1, the first latent coordinate";
    text.y_axis = "z2, the second latent coordinate";
  } else {
    points = principal_components_2d(codes);
    text.title = "test set " + what + " (" + std::to_string(z) + "-D), first two principal components";
    text.x_axis = "principal component 1 of the " + what;
    text.y_axis = "principal component 2";
  }
  write_scatter_png(path, points, labels, text);
}

Tensor principal_components_2d(const Tensor& codes) {
  const int64_t n = codes.shape()[0], z = codes.shape()[1];
  check(z >= 2 && n >= 1, "principal_components_2d: codes ", codes.shape(), " need at least 1 row and 2 columns");
  std::vector<double> mean(static_cast<size_t>(z)), covariance(static_cast<size_t>(z * z));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < z; ++j) mean[static_cast<size_t>(j)] += codes[i * z + j] / static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < z; ++a)
      for (int64_t b = 0; b < z; ++b)
        covariance[static_cast<size_t>(a * z + b)] +=
            (codes[i * z + a] - mean[static_cast<size_t>(a)]) * (codes[i * z + b] - mean[static_cast<size_t>(b)]);
  // Power iteration for the top eigenvector, then again after deflating it.
  std::vector<std::vector<double>> components;
  for (int component = 0; component < 2; ++component) {
    std::vector<double> v(static_cast<size_t>(z), 1.0 / std::sqrt(static_cast<double>(z)));
    v[static_cast<size_t>(component % z)] += 0.5;  // break symmetry
    for (int iteration = 0; iteration < 500; ++iteration) {
      std::vector<double> next(static_cast<size_t>(z), 0.0);
      for (int64_t a = 0; a < z; ++a)
        for (int64_t b = 0; b < z; ++b)
          next[static_cast<size_t>(a)] += covariance[static_cast<size_t>(a * z + b)] * v[static_cast<size_t>(b)];
      double norm = 0;
      for (double x : next) norm += x * x;
      norm = std::sqrt(norm);
      if (norm == 0) break;
      for (int64_t a = 0; a < z; ++a) v[static_cast<size_t>(a)] = next[static_cast<size_t>(a)] / norm;
    }
    double eigenvalue = 0;
    for (int64_t a = 0; a < z; ++a)
      for (int64_t b = 0; b < z; ++b)
        eigenvalue +=
            v[static_cast<size_t>(a)] * covariance[static_cast<size_t>(a * z + b)] * v[static_cast<size_t>(b)];
    for (int64_t a = 0; a < z; ++a)
      for (int64_t b = 0; b < z; ++b)
        covariance[static_cast<size_t>(a * z + b)] -=
            eigenvalue * v[static_cast<size_t>(a)] * v[static_cast<size_t>(b)];
    components.push_back(v);
  }
  Tensor projected({n, 2});
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 2; ++c) {
      double dot = 0;
      for (int64_t a = 0; a < z; ++a)
        dot += (codes[i * z + a] - mean[static_cast<size_t>(a)]) *
               components[static_cast<size_t>(c)][static_cast<size_t>(a)];
      projected[i * 2 + c] = static_cast<float>(dot);
    }
  return projected;
}

Tensor latent_grid(int64_t side) {
  Tensor grid({side * side, 2});
  for (int64_t row = 0; row < side; ++row)
    for (int64_t column = 0; column < side; ++column) {
      // Cell centres of (0, 1), so Phi^-1 stays finite; rows go top (high z2) to bottom.
      double u1 = (static_cast<double>(column) + 0.5) / static_cast<double>(side);
      double u2 = 1.0 - (static_cast<double>(row) + 0.5) / static_cast<double>(side);
      grid[(row * side + column) * 2] = static_cast<float>(kernels::normal_quantile(u1));
      grid[(row * side + column) * 2 + 1] = static_cast<float>(kernels::normal_quantile(u2));
    }
  return grid;
}

// --- the pictures of a training run ---

void write_vae_pictures(Vae& vae, const std::string& out, const datasets::ImageSet& test_set, const EvaluationSet& test,
                        int digit, Rng& rng) {
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
  write_pairs_png(path_in(out, "reconstructions.png"), {&originals, &reconstructions}, kPictureCount, height, width);

  // Samples from the prior (a CVAE's cycle through the classes).
  std::vector<int> sample_classes;
  for (int64_t i = 0; i < kSampleCount; ++i) sample_classes.push_back(static_cast<int>(i % std::max<int64_t>(1, c)));
  tape.clear();
  Var sample_condition = conditional ? tape.input(one_hot_rows(sample_classes, c)) : Var();
  Var z_prior = vae.prior(tape, sample_condition, kSampleCount)->rsample(rng);
  Tensor samples = vae.decoder_mean(vae.decode(z_prior, sample_condition)).value();
  datasets::write_image_grid_png(path_in(out, "samples.png"), samples.data(), kSampleCount, height, width, 8, 2);

  // The learned manifold (Figure 4): the decoder over Phi^-1 of a grid, for a 2-D latent.
  if (z == 2 && !conditional) {
    tape.clear();
    Tensor grid = latent_grid(kManifoldSide);
    Tensor manifold = vae.decoder_mean(vae.decode(tape.input(grid), Var())).value();
    datasets::write_image_grid_png(path_in(out, "manifold.png"), manifold.data(), kManifoldSide * kManifoldSide, height,
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
  write_latent_png(path_in(out, "latent.png"), codes, labels, legend_names(test_set), "posterior means");

  if (conditional) {  // One row per class, or a grid of one digit.
    std::vector<int> classes;
    if (digit >= 0)
      classes.assign(static_cast<size_t>(kSampleCount), digit);
    else
      for (int64_t row = 0; row < c; ++row)
        for (int64_t column = 0; column < 10; ++column) classes.push_back(static_cast<int>(row));
    tape.clear();
    Var cond = tape.input(one_hot_rows(classes, c));
    Var drawn = vae.prior(tape, cond, static_cast<int64_t>(classes.size()))->rsample(rng);
    Tensor digits = vae.decoder_mean(vae.decode(drawn, cond)).value();
    const std::string name = digit >= 0 ? "digit_" + std::to_string(digit) + ".png" : "conditional.png";
    // Each row named by its class: the digit, or Fashion-MNIST's name.
    std::vector<std::string> row_labels;
    if (digit >= 0)
      row_labels.assign(static_cast<size_t>(kSampleCount / 8), test_set.class_name(digit));
    else
      for (int64_t row = 0; row < c; ++row) row_labels.push_back(test_set.class_name(static_cast<int>(row)));
    datasets::write_image_grid_png(path_in(out, name), digits.data(), static_cast<int64_t>(classes.size()), height,
                                   width, digit >= 0 ? 8 : 10, 2, row_labels);
  }
}

void write_autoencoder_pictures(Autoencoder& autoencoder, const std::string& out, const datasets::ImageSet& test_set,
                                const EvaluationSet& test, bool denoising, const Corruption& corrupt, Rng& rng) {
  NoGradGuard no_grad;
  Tape tape;
  const int64_t height = test_set.rows, width = test_set.columns, count = test.images.shape()[0];
  const int64_t code = autoencoder.config().code;
  // Reconstructions, or for denoising: clean, corrupted, restored.
  std::vector<int64_t> shown = spread_indices(count, kPictureCount);
  Tensor originals = gather_rows(test.images, shown), inputs = originals;
  corrupt(inputs, rng);
  Var logits;
  autoencoder.loss(tape.input(inputs), tape.input(originals), &logits);
  Tensor restored = sigmoid(logits).value();
  if (!denoising)
    write_pairs_png(path_in(out, "reconstructions.png"), {&originals, &restored}, kPictureCount, height, width);
  else
    write_pairs_png(path_in(out, "denoising.png"), {&originals, &inputs, &restored}, kPictureCount, height, width);
  // The test set's codes, coloured by class.
  Tensor codes({count, code});
  for (int64_t first = 0; first < count; first += kEvaluationBatch) {
    const int64_t n = std::min(kEvaluationBatch, count - first);
    tape.clear();
    Var h = autoencoder.encode(rows_of(tape, test.images, first, n));
    std::copy_n(h.data(), n * code, codes.data() + first * code);
  }
  std::vector<int> labels = test.labels.empty() ? std::vector<int>(static_cast<size_t>(count), 0) : test.labels;
  write_latent_png(path_in(out, "latent.png"), codes, labels, legend_names(test_set), "codes");
}

}  // namespace aevb::models
