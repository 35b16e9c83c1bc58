#include "datasets/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

#include "autodiff/error.h"

namespace aevb::datasets {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr uint8_t kFloat32 = 0x0D;
constexpr uint8_t kFloat64 = 0x0E;

int element_bytes(uint8_t type_code) { return type_code == kFloat32 ? 4 : type_code == kFloat64 ? 8 : 1; }

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) fail("'", path, "': cannot open: ", std::strerror(errno));
  // Sized once from the file's length (no doubling as it is read).
  const std::streamoff size = file.tellg();
  std::vector<uint8_t> bytes(size > 0 ? static_cast<size_t>(size) : 0);
  file.seekg(0);
  if (!bytes.empty() && !file.read(reinterpret_cast<char*>(bytes.data()), size))
    fail("'", path, "': reading failed: ", std::strerror(errno));
  return bytes;
}

std::vector<uint8_t> inflate_gzip(const std::string& path, const std::vector<uint8_t>& compressed) {
  z_stream stream{};
  // 15 + 16: a window of 2^15 and a gzip (not zlib) header.
  check(inflateInit2(&stream, 15 + 16) == Z_OK, "'", path, "': cannot start zlib");
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::vector<uint8_t> out;
  // The gzip trailer's last 4 bytes hold the size inflated (mod 2^32): reserving it
  // keeps the vector from doubling, which would briefly hold 1.5-2x the data set.
  // Deflate inflates at most about 1032:1, so a larger claim is not trusted.
  if (compressed.size() >= 18) {
    const uint8_t* tail = compressed.data() + compressed.size() - 4;
    const uint64_t claimed = uint64_t{tail[0]} | (uint64_t{tail[1]} << 8) | (uint64_t{tail[2]} << 16) | (uint64_t{tail[3]} << 24);
    if (claimed <= 1032 * static_cast<uint64_t>(compressed.size())) {
      try {
        out.reserve(claimed);
      } catch (const std::bad_alloc&) {
        // only a hint: inflate below fails by name if the data really does not fit
      }
    }
  }
  uint8_t chunk[1 << 16];
  int status;
  do {
    stream.next_out = chunk;
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      std::string reason = stream.msg ? stream.msg : (status == Z_BUF_ERROR ? "unexpected end of file" : "error");
      size_t at = compressed.size() - stream.avail_in;
      inflateEnd(&stream);
      fail("'", path, "': corrupt gzip data at compressed byte offset ", at, ": ", reason);
    }
    out.insert(out.end(), chunk, chunk + (sizeof chunk - stream.avail_out));
  } while (status != Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

uint32_t big_endian_u32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

// Checks the header and returns the sizes; data starts at 4 + 4 * dims. Images may also
// be float32 or float64 (`allow_floats`); labels are bytes.
std::vector<int64_t> read_header(const std::string& path, const std::vector<uint8_t>& bytes, int expected_dims,
                                 const char* what, bool allow_floats) {
  check(bytes.size() >= 4, "'", path, "': truncated header: ", bytes.size(), " bytes, expected at least 4 (the magic number)");
  check(bytes[0] == 0 && bytes[1] == 0, "'", path, "': wrong magic number at byte offset 0: first two bytes are ",
        static_cast<int>(bytes[0]), " ", static_cast<int>(bytes[1]), ", expected 0 0 (is this an IDX file?)");
  const bool float_type = bytes[2] == kFloat32 || bytes[2] == kFloat64;
  check(bytes[2] == kUnsignedByte || (allow_floats && float_type), "'", path, "': type code 0x", std::hex,
        static_cast<int>(bytes[2]), std::dec, " at byte offset 2 is not supported for ", what,
        allow_floats ? ": expected 0x08 (unsigned byte), 0x0d (float32) or 0x0e (float64)" : ": expected 0x08 (unsigned byte)");
  check(bytes[3] == expected_dims, "'", path, "': ", static_cast<int>(bytes[3]), " dimensions at byte offset 3, expected ",
        expected_dims, " for ", what);
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(expected_dims);
  check(bytes.size() >= header_bytes, "'", path, "': truncated header: ", bytes.size(), " bytes, expected ", header_bytes,
        " (magic and ", expected_dims, " sizes)");
  std::vector<int64_t> sizes;
  int64_t total = element_bytes(bytes[2]);
  for (int d = 0; d < expected_dims; ++d) {
    sizes.push_back(big_endian_u32(bytes.data() + 4 + 4 * d));
    // Three 32-bit sizes can overflow 64 bits (found by tests/fuzz/idx_fuzz.cpp).
    check(!__builtin_mul_overflow(total, sizes.back(), &total), "'", path, "': the sizes in the header (byte offsets 4 to ",
          header_bytes - 1, ") multiply to more than 2^63 bytes");
  }
  const size_t expected_size = header_bytes + static_cast<size_t>(total);
  check(bytes.size() >= expected_size, "'", path, "': truncated data: the header promises ", total,
        " bytes of data from byte offset ", header_bytes, ", but the file ends at byte offset ", bytes.size());
  check(bytes.size() == expected_size, "'", path, "': ", bytes.size() - expected_size,
        " unexpected bytes after the data, from byte offset ", expected_size);
  return sizes;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb9");
    if (!file) fail("'", path, "': cannot create: ", std::strerror(errno));
    int written = gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    if (gzclose(file) != Z_OK || written != static_cast<int>(bytes.size())) fail("'", path, "': writing failed");
    return;
  }
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file) fail("'", path, "': writing failed: ", std::strerror(errno));
}

void put_u32(std::vector<uint8_t>& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return inflate_gzip(path, bytes);
  return bytes;
}

ImageSet read_idx_images(const std::string& path) {
  std::vector<uint8_t> bytes = read_maybe_gzip(path);
  std::vector<int64_t> sizes = read_header(path, bytes, 3, "images [N, H, W]", true);
  ImageSet set;
  set.name = path;
  set.count = sizes[0];
  set.rows = sizes[1];
  set.columns = sizes[2];
  if (bytes[2] == kUnsignedByte) {
    // In place: a copy would hold the data set twice at the peak.
    bytes.erase(bytes.begin(), bytes.begin() + 16);
    set.pixels = std::move(bytes);
    return set;
  }
  // Floats are intensities in [0, 1], big-endian like the sizes. They become the 8-bit
  // grey levels every other source has (round(255 v)). A value that is not a number,
  // infinite or outside [0, 1] is refused by where it is: a silent clamp would train on
  // data nobody meant.
  const int width = element_bytes(bytes[2]);
  const int64_t per_image = set.rows * set.columns;
  set.pixels.resize(static_cast<size_t>(set.count * per_image));
  for (size_t i = 0; i < set.pixels.size(); ++i) {
    const size_t offset = 16 + i * static_cast<size_t>(width);
    uint64_t raw = 0;
    for (int b = 0; b < width; ++b) raw = (raw << 8) | bytes[offset + static_cast<size_t>(b)];
    double value;
    if (width == 4) {
      float single;
      const uint32_t raw32 = static_cast<uint32_t>(raw);
      std::memcpy(&single, &raw32, 4);
      value = single;
    } else {
      std::memcpy(&value, &raw, 8);
    }
    if (!(value >= 0.0 && value <= 1.0)) {  // NaN fails both comparisons
      const int64_t image = static_cast<int64_t>(i) / per_image, pixel = static_cast<int64_t>(i) % per_image;
      fail("'", path, "': image ", image, ", pixel ", pixel, " (row ", pixel / set.columns, ", column ",
           pixel % set.columns, ") at byte offset ", offset, " is ", value, ": float images must hold values in [0, 1]");
    }
    set.pixels[i] = static_cast<uint8_t>(std::lround(value * 255.0));
  }
  return set;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
  std::vector<uint8_t> bytes = read_maybe_gzip(path);
  read_header(path, bytes, 1, "labels [N]", false);
  return std::vector<uint8_t>(bytes.begin() + 8, bytes.end());
}

ImageSet read_idx_pair(const std::string& images_path, const std::string& labels_path) {
  ImageSet set = read_idx_images(images_path);
  set.labels = read_idx_labels(labels_path);
  check(static_cast<int64_t>(set.labels.size()) == set.count, "'", labels_path, "' holds ", set.labels.size(),
        " labels but '", images_path, "' holds ", set.count, " images");
  set.classes = set.labels.empty() ? 0 : 1 + *std::max_element(set.labels.begin(), set.labels.end());
  return set;
}

void write_idx_images(const std::string& path, const ImageSet& images) {
  std::vector<uint8_t> bytes = {0, 0, kUnsignedByte, 3};
  put_u32(bytes, static_cast<uint32_t>(images.count));
  put_u32(bytes, static_cast<uint32_t>(images.rows));
  put_u32(bytes, static_cast<uint32_t>(images.columns));
  bytes.insert(bytes.end(), images.pixels.begin(), images.pixels.end());
  write_file(path, bytes);
}

void write_idx_labels(const std::string& path, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> bytes = {0, 0, kUnsignedByte, 1};
  put_u32(bytes, static_cast<uint32_t>(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  write_file(path, bytes);
}

}  // namespace aevb::datasets
