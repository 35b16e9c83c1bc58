#include "models/pictures.h"

#include <algorithm>
#include <cmath>

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
                       const std::string&) {
  const int64_t n = points.shape()[0], size = 640, margin = 20;
  check(points.shape().rank() == 2 && points.shape()[1] == 2 && static_cast<int64_t>(labels.size()) == n,
        "write_scatter_png: points ", points.shape(), " and ", labels.size(), " labels");
  // A square view that holds 99% of the points, so a few outliers do not shrink the rest.
  std::vector<float> magnitudes;
  for (int64_t i = 0; i < 2 * n; ++i) magnitudes.push_back(std::fabs(points[i]));
  std::sort(magnitudes.begin(), magnitudes.end());
  float extent = magnitudes.empty() ? 1.0f : std::max(1e-6f, magnitudes[static_cast<size_t>(0.99 * (magnitudes.size() - 1))]) * 1.05f;
  datasets::Canvas canvas(size, size, 255);
  const int64_t centre = size / 2, half = size / 2 - margin;
  canvas.fill_rect(margin, centre, size - 2 * margin, 1, 200, 200, 200);
  canvas.fill_rect(centre, margin, 1, size - 2 * margin, 200, 200, 200);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t r, g, b;
    datasets::class_colour(labels[static_cast<size_t>(i)], r, g, b);
    int64_t x = centre + static_cast<int64_t>(std::lround(points[2 * i] / extent * half));
    int64_t y = centre - static_cast<int64_t>(std::lround(points[2 * i + 1] / extent * half));
    canvas.fill_rect(x - 1, y - 1, 3, 3, r, g, b);
  }
  // A legend: one swatch per class along the top.
  for (int c = 0; c < 10; ++c) {
    uint8_t r, g, b;
    datasets::class_colour(c, r, g, b);
    canvas.fill_rect(margin + c * 24, 4, 18, 10, r, g, b);
  }
  canvas.write_png(path);
}

Tensor principal_components_2d(const Tensor& codes) {
  const int64_t n = codes.shape()[0], z = codes.shape()[1];
  check(z >= 2 && n >= 2, "principal_components_2d: codes ", codes.shape(), " need at least 2 rows and 2 columns");
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
