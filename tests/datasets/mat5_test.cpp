// Tests for datasets/mat5.cpp: a file in the Frey Face format round-trips; the rest is refused.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "autodiff/error.h"
#include "datasets/mat5.h"
#include "datasets/sources.h"
#include "tests/temp_files.h"

using namespace aevb;
using namespace aevb::datasets;
namespace fs = std::filesystem;

namespace {
using testing::TempFolder;
using testing::read_bytes;
using testing::write_bytes;
// Faces in the layout of frey_rawface.mat: variable "ff", 560 x N uint8, column-major.
Mat5Matrix frey_like(int64_t faces) {
  Mat5Matrix m{"ff", 560, faces, {}};
  for (int64_t i = 0; i < 560 * faces; ++i) m.values.push_back(static_cast<uint8_t>((i * 7) % 256));
  return m;
}
}  // namespace

TEST_CASE("a MAT-5 file in the Frey Face layout round-trips") {
  TempFolder folder("aevb_mat5_test_");
  const std::string path = folder.file("frey_rawface.mat");
  write_mat5_uint8(path, frey_like(20));
  Mat5Matrix read = read_mat5_uint8(path, "ff");
  CHECK(read.rows == 560);
  CHECK(read.columns == 20);
  CHECK(read.values == frey_like(20).values);
  ImageSet faces = read_frey_faces(path);
  CHECK(faces.count == 20);
  CHECK(faces.rows == 28);
  CHECK(faces.columns == 20);
  // Face 3, row 2, column 5 is element (2 * 20 + 5, 3) of the matrix.
  CHECK(faces.image(3)[2 * 20 + 5] == static_cast<uint8_t>(((3 * 560 + 45) * 7) % 256));
  // The split of frey:FILE: the first 90% train.
  TrainTest split = load_dataset("frey:" + path);
  CHECK(split.train.count == 18);
  CHECK(split.test.count == 2);
  CHECK(split.test.image(0)[0] == faces.image(18)[0]);
  CHECK_FALSE(split.train.labelled());
}

TEST_CASE("a short variable name uses MATLAB's small element format and is read") {
  TempFolder folder("aevb_mat5_test_");
  const std::string path = folder.file("small.mat");
  write_mat5_uint8(path, frey_like(1));
  // Rewrite the name element (at 128 + 8 + 16 + 16) as a small element: size 2, type miINT8, "ff".
  std::vector<char> bytes = read_bytes(path);
  const size_t name_at = 128 + 8 + 16 + 16;
  std::vector<char> small = {1, 0, 2, 0, 'f', 'f', 0, 0};
  bytes.erase(bytes.begin() + name_at, bytes.begin() + name_at + 16);
  bytes.insert(bytes.begin() + name_at, small.begin(), small.end());
  uint32_t matrix_size = static_cast<uint32_t>(bytes.size() - 136);
  for (int i = 0; i < 4; ++i) bytes[132 + i] = static_cast<char>(matrix_size >> (8 * i));
  write_bytes(path, bytes);
  CHECK(read_mat5_uint8(path).name == "ff");
}

TEST_CASE("what the reader does not support is refused clearly") {
  TempFolder folder("aevb_mat5_test_");
  const std::string path = folder.file("x.mat");
  write_mat5_uint8(path, frey_like(2));
  const std::vector<char> good = read_bytes(path);
  auto refuses = [&](std::vector<char> bytes, const std::string& message) {
    write_bytes(path, bytes);
    CHECK_THROWS_WITH_AS(read_mat5_uint8(path), message.c_str(), Error);
  };
  SUBCASE("not a MAT file") {
    std::vector<char> bytes = good;
    bytes[126] = 'X';
    refuses(bytes,
            "'" + path + "': not a MATLAB 5 MAT-file: bytes 126-127 should be \"IM\" or \"MI\" (the endian indicator)");
  }
  SUBCASE("compressed (-v7)") {
    std::vector<char> bytes = good;
    bytes[128] = 15;
    refuses(bytes, "'" + path +
                       "': the element at byte offset 128 is compressed (MATLAB -v7); only uncompressed files are "
                       "supported: save with -v6");
  }
  SUBCASE("a double matrix") {
    std::vector<char> bytes = good;
    bytes[144] = 6;  // array class: double
    refuses(bytes,
            "'" + path + "': variable 'ff' is of class double (at byte offset 144); only uint8 matrices are supported");
  }
  SUBCASE("truncated") {
    refuses(std::vector<char>(good.begin(), good.begin() + 100),
            "'" + path + "': truncated at byte offset 100 while reading the 128-byte header (128 bytes from offset 0)");
  }
  SUBCASE("no such variable") {
    write_bytes(path, good);
    CHECK_THROWS_WITH_AS(read_mat5_uint8(path, "faces"), ("'" + path + "': no variable named 'faces'").c_str(), Error);
  }
  SUBCASE("not Frey-shaped") {
    write_mat5_uint8(path, Mat5Matrix{"ff", 10, 2, std::vector<uint8_t>(20, 1)});
    CHECK_THROWS_WITH_AS(
        read_frey_faces(path),
        ("'" + path + "': variable 'ff' has 10 rows; Frey faces need 560 (one 28x20 face per column)").c_str(), Error);
  }
}

TEST_CASE("Frey files of fewer than 2 faces, and files that are no regular file, are refused by name") {
  TempFolder folder("aevb_mat5_degenerate_");
  for (int64_t faces : {0, 1}) {
    const std::string path = folder.file("faces" + std::to_string(faces) + ".mat");
    write_mat5_uint8(path, frey_like(faces));
    CHECK_THROWS_WITH_AS(load_dataset("frey:" + path),
                         ("'" + path + "': variable 'ff' holds " + std::to_string(faces) +
                          " faces (columns); a training and a test set need at least 2").c_str(),
                         Error);
  }
  const std::string pipe = folder.file("pipe.mat");
  REQUIRE(::mkfifo(pipe.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(load_dataset("frey:" + pipe),
                       ("'" + pipe + "' is a named pipe (FIFO), not a regular file").c_str(), Error);
  CHECK_THROWS_WITH_AS(read_mat5_uint8(folder.path.string()),
                       ("'" + folder.path.string() + "' is a folder, not a regular file").c_str(), Error);
}
