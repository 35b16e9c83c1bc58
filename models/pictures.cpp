#include "models/pictures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autodiff/error.h"
#include "autodiff/kernels/special_functions.h"
#include "datasets/image_grid.h"

namespace aevb::models {

void write_pairs_png(const std::string& path, const std::vector<const Tensor*>& rows_of_images, int64_t count,
                     int64_t height, int64_t width) {
  const int64_t pixels = height * width, rows = static_cast<int64_t>(rows_of_images.size());
  std::vector<float> grid(static_cast<size_t>(rows * count * pixels));
  for (int64_t r = 0; r < rows; ++r) {
    check(rows_of_images[static_cast<size_t>(r)]->numel() >= count * pixels, "write_pairs_png: row ", r, " holds fewer than ",
          count, " images");
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
      magnitudes.empty() ? 1.0f : std::max(1e-6f, magnitudes[static_cast<size_t>(0.99 * static_cast<double>(magnitudes.size() - 1))]) * 1.05f;
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
    const int64_t x = centre_x + static_cast<int64_t>(std::lround(std::clamp(points[2 * i] / extent, -1.0f, 1.0f) * half));
    const int64_t y = centre_y - static_cast<int64_t>(std::lround(std::clamp(points[2 * i + 1] / extent, -1.0f, 1.0f) * half));
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
        for (int64_t b = 0; b < z; ++b) next[static_cast<size_t>(a)] += covariance[static_cast<size_t>(a * z + b)] * v[static_cast<size_t>(b)];
      double norm = 0;
      for (double x : next) norm += x * x;
      norm = std::sqrt(norm);
      if (norm == 0) break;
      for (int64_t a = 0; a < z; ++a) v[static_cast<size_t>(a)] = next[static_cast<size_t>(a)] / norm;
    }
    double eigenvalue = 0;
    for (int64_t a = 0; a < z; ++a)
      for (int64_t b = 0; b < z; ++b)
        eigenvalue += v[static_cast<size_t>(a)] * covariance[static_cast<size_t>(a * z + b)] * v[static_cast<size_t>(b)];
    for (int64_t a = 0; a < z; ++a)
      for (int64_t b = 0; b < z; ++b)
        covariance[static_cast<size_t>(a * z + b)] -= eigenvalue * v[static_cast<size_t>(a)] * v[static_cast<size_t>(b)];
    components.push_back(v);
  }
  Tensor projected({n, 2});
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 2; ++c) {
      double dot = 0;
      for (int64_t a = 0; a < z; ++a) dot += (codes[i * z + a] - mean[static_cast<size_t>(a)]) * components[static_cast<size_t>(c)][static_cast<size_t>(a)];
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

}  // namespace aevb::models
