// IDX files (the MNIST format), raw or gzip-compressed:
//   u32 big-endian magic = 0x0000 | type code | number of dimensions
//   one u32 big-endian size per dimension, then the data, row-major.
// Images have 3 dimensions [N, H, W] of unsigned bytes (0x08), or of big-endian float32
// (0x0d) or float64 (0x0e) intensities in [0, 1], read as 8-bit grey levels; a NaN,
// infinite or out-of-range float is refused with its image index. Labels have 1
// dimension [N] of unsigned bytes.
// Every problem throws naming the file, the byte offset and what was expected. For a
// gzip file the offsets count bytes of the decompressed data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/image_set.h"

namespace aevb::datasets {

// The file's bytes, inflated when it starts with the gzip magic (1f 8b).
std::vector<uint8_t> read_maybe_gzip(const std::string& path);

ImageSet read_idx_images(const std::string& path);
std::vector<uint8_t> read_idx_labels(const std::string& path);
// Images and labels of one set; their counts must agree.
ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path);

// Writers (gzip when the name ends in .gz), for tests and conversions.
void write_idx_images(const std::string& path, const ImageSet& images);
void write_idx_labels(const std::string& path, const std::vector<uint8_t>& labels);

}  // namespace aevb::datasets
