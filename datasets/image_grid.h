// Pictures: grids of grey images and small RGB canvases, written as PNG (stb_image_write).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aevb::datasets {

// An RGB picture in memory; (0,0) is the top-left pixel.
class Canvas {
 public:
  Canvas(int64_t width, int64_t height, uint8_t grey = 255);
  void set(int64_t x, int64_t y, uint8_t r, uint8_t g, uint8_t b);  // ignores pixels outside
  void fill_rect(int64_t x, int64_t y, int64_t w, int64_t h, uint8_t r, uint8_t g, uint8_t b);
  // Text in a small built-in font, `scale` pixels per font unit (a glyph is about 6 x 7
  // units); (x, y) is its top-left corner.
  void draw_text(int64_t x, int64_t y, const std::string& text, int scale, uint8_t r, uint8_t g, uint8_t b);
  static int64_t text_width(const std::string& text, int scale);
  std::vector<uint8_t> png_bytes() const;
  // Atomically (autodiff/files.h); throws naming the file on failure.
  void write_png(const std::string& path) const;
  int64_t width() const { return width_; }
  int64_t height() const { return height_; }

 private:
  int64_t width_, height_;
  std::vector<uint8_t> rgb_;
};

// `count` images [count, rows * columns] with values in [0, 1], laid out in rows of
// `grid_columns`, each pixel drawn `scale` x `scale`, with a 1-pixel grey gap. With
// `row_labels`, each grid row is named in a margin on its left (a class, say).
void write_image_grid_png(const std::string& path, const float* images, int64_t count, int64_t rows, int64_t columns,
                          int64_t grid_columns, int scale = 2, const std::vector<std::string>& row_labels = {});

// A qualitative colour for class `index` (10 distinct colours, then repeating).
void class_colour(int index, uint8_t& r, uint8_t& g, uint8_t& b);

}  // namespace aevb::datasets
