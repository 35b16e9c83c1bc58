#include "datasets/image_grid.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>

#include "autodiff/error.h"
#include "autodiff/files.h"

// stb_easy_font: text as a few quads per glyph, from a font built into the header (no
// font file to find). Its functions are static, and some go unused here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

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

void Canvas::draw_text(int64_t x, int64_t y, const std::string& text, int scale, uint8_t r, uint8_t g, uint8_t b) {
  // stb_easy_font's glyphs are about 6 x 7 units; each quad is 4 vertices of x, y, z, colour.
  struct Vertex {
    float x, y, z;
    unsigned char colour[4];
  };
  std::vector<Vertex> quads(text.size() * 64 + 64);
  std::string copy = text;
  const int count = stb_easy_font_print(0, 0, copy.data(), nullptr, quads.data(),
                                        static_cast<int>(quads.size() * sizeof(Vertex)));
  for (int q = 0; q < count; ++q) {
    const Vertex& corner = quads[static_cast<size_t>(4 * q)];
    const Vertex& opposite = quads[static_cast<size_t>(4 * q + 2)];
    fill_rect(x + static_cast<int64_t>(corner.x) * scale, y + static_cast<int64_t>(corner.y) * scale,
              static_cast<int64_t>(opposite.x - corner.x) * scale, static_cast<int64_t>(opposite.y - corner.y) * scale,
              r, g, b);
  }
}

int64_t Canvas::text_width(const std::string& text, int scale) {
  std::string copy = text;
  return static_cast<int64_t>(stb_easy_font_width(copy.data())) * scale;
}

std::vector<uint8_t> Canvas::png_bytes() const {
  std::vector<uint8_t> bytes;
  auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  const int ok = stbi_write_png_to_func(append, &bytes, static_cast<int>(width_), static_cast<int>(height_), 3,
                                        rgb_.data(), static_cast<int>(width_ * 3));
  check(ok != 0 && !bytes.empty(), "PNG: encoding a ", width_, "x", height_, " picture failed");
  return bytes;
}

void Canvas::write_png(const std::string& path) const { files::write_file_atomically(path, png_bytes()); }

void write_image_grid_png(const std::string& path, const float* images, int64_t count, int64_t rows, int64_t columns,
                          int64_t grid_columns, int scale, const std::vector<std::string>& row_labels) {
  check(count > 0 && rows > 0 && columns > 0 && grid_columns > 0 && scale > 0, "write_image_grid_png: ", count,
        " images of ", rows, "x", columns, " in ", grid_columns, " columns at scale ", scale, " is not a picture");
  const int64_t gap = 1, grid_rows = (count + grid_columns - 1) / grid_columns;
  const int64_t cell_w = columns * scale + gap, cell_h = rows * scale + gap;
  // The labels' margin: the widest label at text scale 2, and room around it.
  const int text_scale = cell_h >= 20 ? 2 : 1;
  int64_t margin = 0;
  for (const std::string& label : row_labels) margin = std::max(margin, Canvas::text_width(label, text_scale) + 12);
  Canvas canvas(margin + grid_columns * cell_w + gap, grid_rows * cell_h + gap, 128);
  if (margin > 0) canvas.fill_rect(0, 0, margin, canvas.height(), 255, 255, 255);
  for (size_t r = 0; r < row_labels.size() && static_cast<int64_t>(r) < grid_rows; ++r)
    canvas.draw_text(6, gap + static_cast<int64_t>(r) * cell_h + (cell_h - 7 * text_scale) / 2, row_labels[r],
                     text_scale, 0, 0, 0);
  for (int64_t n = 0; n < count; ++n) {
    const int64_t left = margin + gap + (n % grid_columns) * cell_w, top = gap + (n / grid_columns) * cell_h;
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
