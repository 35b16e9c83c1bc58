#include "datasets/image_grid.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>

#include "autodiff/error.h"

namespace aevb::datasets {

Canvas::Canvas(int64_t width, int64_t height, uint8_t grey)
    : width_(width), height_(height), rgb_(static_cast<size_t>(width * height * 3), grey) {
  check(width > 0 && height > 0 && width * height <= (int64_t{1} << 28), "Canvas: size ", width, "x", height,
        " is empty or too large");
}

void Canvas::set(int64_t x, int64_t y, uint8_t r, uint8_t g, uint8_t b) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  uint8_t* p = rgb_.data() + (y * width_ + x) * 3;
  p[0] = r;
  p[1] = g;
  p[2] = b;
}

void Canvas::fill_rect(int64_t x, int64_t y, int64_t w, int64_t h, uint8_t r, uint8_t g, uint8_t b) {
  for (int64_t dy = 0; dy < h; ++dy)
    for (int64_t dx = 0; dx < w; ++dx) set(x + dx, y + dy, r, g, b);
}

void Canvas::write_png(const std::string& path) const {
  int ok = stbi_write_png(path.c_str(), static_cast<int>(width_), static_cast<int>(height_), 3, rgb_.data(),
                          static_cast<int>(width_ * 3));
  check(ok != 0, "cannot write PNG '", path, "' (does its folder exist and is it writable?)");
}

void write_image_grid_png(const std::string& path, const float* images, int64_t count, int64_t rows, int64_t columns,
                          int64_t grid_columns, int scale) {
  check(count > 0 && rows > 0 && columns > 0 && grid_columns > 0 && scale > 0, "write_image_grid_png: ", count,
        " images of ", rows, "x", columns, " in ", grid_columns, " columns at scale ", scale, " is not a picture");
  const int64_t gap = 1, grid_rows = (count + grid_columns - 1) / grid_columns;
  const int64_t cell_w = columns * scale + gap, cell_h = rows * scale + gap;
  Canvas canvas(grid_columns * cell_w + gap, grid_rows * cell_h + gap, 128);
  for (int64_t n = 0; n < count; ++n) {
    const int64_t left = gap + (n % grid_columns) * cell_w, top = gap + (n / grid_columns) * cell_h;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < columns; ++c) {
        float v = images[n * rows * columns + r * columns + c];
        auto grey = static_cast<uint8_t>(std::lround(std::clamp(std::isnan(v) ? 0.0f : v, 0.0f, 1.0f) * 255.0f));
        canvas.fill_rect(left + c * scale, top + r * scale, scale, scale, grey, grey, grey);
      }
  }
  canvas.write_png(path);
}

void class_colour(int index, uint8_t& r, uint8_t& g, uint8_t& b) {
  // Tableau 10: distinct for the ten digit classes.
  static const uint8_t palette[10][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                         {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                         {188, 189, 34},  {23, 190, 207}};
  const uint8_t* c = palette[((index % 10) + 10) % 10];
  r = c[0];
  g = c[1];
  b = c[2];
}

}  // namespace aevb::datasets
