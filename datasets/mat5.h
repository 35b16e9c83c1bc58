// MATLAB 5 MAT-files, the subset the Frey Face file (frey_rawface.mat) needs: one
// uncompressed uint8 matrix. Anything else (compressed -v7 files, other classes,
// complex or sparse arrays, more than 2 dimensions) is refused with a clear error.
//
// Layout: a 128-byte header (116 bytes of text, 8 of subsystem offset, u16 version
// 0x0100, 2 bytes "IM" for a little-endian file or "MI" for big-endian), then data
// elements, each a tag (u32 type, u32 byte count) and data padded to 8 bytes. A matrix
// is a miMATRIX element holding sub-elements: array flags, dimensions, name, real part.
// Small elements (4 bytes or fewer) pack count and type into one u32 and the data into
// the next 4 bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/image_set.h"

namespace aevb::datasets {

struct Mat5Matrix {
  std::string name;
  int64_t rows = 0, columns = 0;
  std::vector<uint8_t> values;  // column-major, as MATLAB stores them
};

// The matrix called `variable`, or the first matrix when `variable` is empty.
Mat5Matrix read_mat5_uint8(const std::string& path, const std::string& variable = "");
// Writes one uncompressed little-endian uint8 matrix (values column-major).
void write_mat5_uint8(const std::string& path, const Mat5Matrix& matrix);

// The Frey Face set: a matrix of 560 rows (one 28x20 face per column, row-major
// within the face) and one column per face.
ImageSet read_frey_faces(const std::string& path);

}  // namespace aevb::datasets
