// Tests for datasets/idx.cpp: round trips, and each corruption with its named error.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <iterator>
#include <limits>

#include "autodiff/error.h"
#include "datasets/idx.h"
#include "tests/temp_files.h"

using namespace aevb;
using namespace aevb::datasets;
namespace fs = std::filesystem;

namespace {
using testing::TempFolder;
using testing::read_bytes;
using testing::write_bytes;
ImageSet three_images() {
  ImageSet set;
  set.count = 3;
  set.rows = 2;
  set.columns = 4;
  for (int i = 0; i < 24; ++i) set.pixels.push_back(static_cast<uint8_t>(i * 10));
  return set;
}
}  // namespace

TEST_CASE("IDX images and labels round-trip, raw and gzip") {
  TempFolder folder("aevb_idx_test_");
  for (std::string suffix : {"", ".gz"}) {
    CAPTURE(suffix);
    write_idx_images(folder.file("images" + suffix), three_images());
    write_idx_labels(folder.file("labels" + suffix), {7, 0, 3});
    ImageSet set = read_idx_pair(folder.file("images" + suffix), folder.file("labels" + suffix));
    CHECK(set.count == 3);
    CHECK(set.rows == 2);
    CHECK(set.columns == 4);
    CHECK(set.pixels == three_images().pixels);
    CHECK(set.labels == std::vector<uint8_t>{7, 0, 3});
    CHECK(set.classes == 8);
  }
  CHECK(read_bytes(folder.file("images.gz"))[0] == '\x1f');  // really compressed
}

TEST_CASE("each corruption of an IDX file gives its named error") {
  TempFolder folder("aevb_idx_test_");
  const std::string path = folder.file("images");
  write_idx_images(path, three_images());
  const std::vector<char> good = read_bytes(path);
  auto refuses = [&](std::vector<char> bytes, const std::string& message) {
    write_bytes(path, bytes);
    CHECK_THROWS_WITH_AS(read_idx_images(path), message.c_str(), Error);
  };
  SUBCASE("wrong magic") {
    std::vector<char> bytes = good;
    bytes[0] = 'P';
    refuses(
        bytes,
        "'" + path +
            "': wrong magic number at byte offset 0: first two bytes are 80 0, expected 0 0 (is this an IDX file?)");
  }
  SUBCASE("wrong type") {
    std::vector<char> bytes = good;
    bytes[2] = 0x0b;  // 16-bit integers
    refuses(bytes, "'" + path +
                       "': type code 0xb at byte offset 2 is not supported for images [N, H, W]: expected 0x08 "
                       "(unsigned byte), 0x0d (float32) or 0x0e (float64)");
  }
  SUBCASE("wrong number of dimensions") {
    std::vector<char> bytes = good;
    bytes[3] = 1;
    refuses(bytes, "'" + path + "': 1 dimensions at byte offset 3, expected 3 for images [N, H, W]");
  }
  SUBCASE("truncated header") {
    refuses(std::vector<char>(good.begin(), good.begin() + 10),
            "'" + path + "': truncated header: 10 bytes, expected 16 (magic and 3 sizes)");
    refuses(std::vector<char>(good.begin(), good.begin() + 2),
            "'" + path + "': truncated header: 2 bytes, expected at least 4 (the magic number)");
  }
  SUBCASE("truncated data") {
    refuses(std::vector<char>(good.begin(), good.end() - 5),
            "'" + path +
                "': truncated data: the header promises 24 bytes of data from byte offset 16, but the file ends at "
                "byte offset 35");
  }
  SUBCASE("sizes whose product overflows 64 bits (a fuzzing find)") {
    std::vector<char> bytes(good.begin(), good.begin() + 16);
    // 2^32 - 1 images of 2^32 - 1 rows of 2 columns
    for (int i = 4; i < 12; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>(0xff);
    for (int i = 12; i < 16; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>(i == 15 ? 2 : 0);
    refuses(bytes, "'" + path + "': the sizes in the header (byte offsets 4 to 15) multiply to more than 2^63 bytes");
  }
  SUBCASE("no images, but each of 2^32 x 2^32 pixels (a fuzzing find: the total is 0)") {
    std::vector<char> bytes(good.begin(), good.begin() + 16);
    for (int i = 4; i < 8; ++i) bytes[static_cast<size_t>(i)] = 0;
    for (int i = 8; i < 16; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>(0xff);
    refuses(bytes,
            "'" + path + "': one item's sizes in the header (byte offsets 8 to 15) multiply to more than 2^63 bytes");
  }
  SUBCASE("trailing data") {
    std::vector<char> bytes = good;
    bytes.push_back(1);
    refuses(bytes, "'" + path + "': 1 unexpected bytes after the data, from byte offset 40");
  }
  SUBCASE("missing file") {
    CHECK_THROWS_WITH_AS(read_idx_images(folder.file("absent")),
                         ("'" + folder.file("absent") + "': cannot open: No such file or directory").c_str(), Error);
  }
}

namespace {
// An IDX file of big-endian floats (type 0x0d, or 0x0e for doubles), as a converter writes.
template <class Float>
std::vector<char> float_idx(int64_t count, int64_t rows, int64_t columns, const std::vector<Float>& values) {
  std::vector<char> bytes = {0, 0, static_cast<char>(sizeof(Float) == 4 ? 0x0d : 0x0e), 3};
  for (int64_t size : {count, rows, columns})
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(size >> shift));
  for (Float value : values) {
    unsigned char raw[sizeof(Float)];
    std::memcpy(raw, &value, sizeof(Float));
    for (size_t b = sizeof(Float); b-- > 0;) bytes.push_back(static_cast<char>(raw[b]));  // little to big endian
  }
  return bytes;
}
}  // namespace

TEST_CASE("float IDX images are read as grey levels; NaN, infinite and out-of-range values are refused by place") {
  TempFolder folder("aevb_idx_test_");
  const std::string path = folder.file("images.idx");
  std::vector<float> values;
  for (int i = 0; i < 24; ++i) values.push_back(static_cast<float>(i * 10) / 255.0f);
  write_bytes(path, float_idx<float>(3, 2, 4, values));
  CHECK(read_idx_images(path).pixels == three_images().pixels);
  write_bytes(path, float_idx<double>(3, 2, 4, std::vector<double>(values.begin(), values.end())));
  CHECK(read_idx_images(path).pixels == three_images().pixels);

  // Image 2, pixel 5 = row 1, column 1; its bytes start at 16 + 4 * (2 * 8 + 5) = 100.
  const std::string where = "'" + path + "': image 2, pixel 5 (row 1, column 1) at byte offset 100 is ";
  for (auto [bad, shown] : {std::pair{std::numeric_limits<float>::quiet_NaN(), "nan"},
                            std::pair{std::numeric_limits<float>::infinity(), "inf"},
                            std::pair{-0.25f, "-0.25"}, std::pair{1.5f, "1.5"}}) {
    CAPTURE(shown);
    std::vector<float> corrupt = values;
    corrupt[21] = bad;
    write_bytes(path, float_idx<float>(3, 2, 4, corrupt));
    CHECK_THROWS_WITH_AS(read_idx_images(path), (where + shown + ": float images must hold values in [0, 1]").c_str(),
                         Error);
  }
  std::vector<double> corrupt(values.begin(), values.end());
  corrupt[21] = std::numeric_limits<double>::quiet_NaN();
  write_bytes(path, float_idx<double>(3, 2, 4, corrupt));
  CHECK_THROWS_WITH_AS(
      read_idx_images(path),
      ("'" + path +
       "': image 2, pixel 5 (row 1, column 1) at byte offset 184 is nan: float images must hold values in [0, 1]")
          .c_str(),
      Error);

  // The sizes count elements: a float file cut short is caught in bytes.
  std::vector<char> bytes = float_idx<float>(3, 2, 4, values);
  bytes.resize(bytes.size() - 3);
  write_bytes(path, bytes);
  CHECK_THROWS_WITH_AS(read_idx_images(path),
                       ("'" + path +
                        "': truncated data: the header promises 96 bytes of data from byte offset 16, but the file "
                        "ends at byte offset 109")
                           .c_str(),
                       Error);
  // Labels stay bytes.
  write_bytes(path, std::vector<char>{0, 0, 0x0d, 1, 0, 0, 0, 0});
  CHECK_THROWS_WITH_AS(
      read_idx_labels(path),
      ("'" + path + "': type code 0xd at byte offset 2 is not supported for labels [N]: expected 0x08 (unsigned byte)")
          .c_str(),
      Error);
}

TEST_CASE("a corrupt gzip file is refused with the compressed offset") {
  TempFolder folder("aevb_idx_test_");
  const std::string path = folder.file("images.gz");
  write_idx_images(path, three_images());
  std::vector<char> bytes = read_bytes(path);
  SUBCASE("cut short") {
    write_bytes(path, std::vector<char>(bytes.begin(), bytes.begin() + 20));
    CHECK_THROWS_WITH_AS(
        read_idx_images(path),
        ("'" + path + "': corrupt gzip data at compressed byte offset 20: unexpected end of file").c_str(), Error);
  }
  SUBCASE("damaged") {
    for (size_t i = 12; i < bytes.size() - 8; ++i) bytes[i] = static_cast<char>(0xff);
    write_bytes(path, bytes);
    try {
      read_idx_images(path);
      FAIL("damaged gzip data was read");
    } catch (const Error& error) {
      CHECK(std::string(error.what()).rfind("'" + path + "': corrupt gzip data at compressed byte offset ", 0) == 0);
    }
  }
}

TEST_CASE("image and label counts must agree") {
  TempFolder folder("aevb_idx_test_");
  write_idx_images(folder.file("images"), three_images());
  write_idx_labels(folder.file("labels"), {1, 2});
  CHECK_THROWS_WITH_AS(
      read_idx_pair(folder.file("images"), folder.file("labels")),
      ("'" + folder.file("labels") + "' holds 2 labels but '" + folder.file("images") + "' holds 3 images").c_str(),
      Error);
}
