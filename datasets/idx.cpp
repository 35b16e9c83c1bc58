#include "datasets/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

#include "autodiff/error.h"
#include "autodiff/files.h"

namespace aevb::datasets {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr uint8_t kFloat32 = 0x0D;
constexpr uint8_t kFloat64 = 0x0E;

int element_bytes(uint8_t type_code) { return type_code == kFloat32 ? 4 : type_code == kFloat64 ? 8 : 1; }

// Files larger than this are refused before they are read: Fashion-MNIST's largest is
// 47 MB inflated; a 100 GB sparse file, or data whose header claims more, is not a data
// set this program can hold.
constexpr uint64_t kMostBytes = uint64_t{8} << 30;

uint32_t big_endian_u32(const uint8_t* bytes);

// How many bytes the IDX file whose first bytes are `bytes` holds in all, as its header
// claims: 0 while the header is incomplete; kNotIdx when it is no IDX header (read_header
// then says what is wrong); kTooLarge when it claims more than kMostBytes.
constexpr uint64_t kNotIdx = UINT64_MAX, kTooLarge = kMostBytes + 1;
uint64_t claimed_size(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 4) return 0;
  if (bytes[0] != 0 || bytes[1] != 0 || bytes[3] == 0 || bytes[3] > 3) return kNotIdx;
  const size_t header = 4 + 4 * static_cast<size_t>(bytes[3]);
  if (bytes.size() < header) return 0;
  uint64_t total = static_cast<uint64_t>(element_bytes(bytes[2]));
  for (size_t d = 0; d < bytes[3]; ++d)
    if (__builtin_mul_overflow(total, uint64_t{big_endian_u32(bytes.data() + 4 + 4 * d)}, &total) || total > kMostBytes)
      return kTooLarge;
  return std::min<uint64_t>(kTooLarge, header + total);
}

// Inflates gzip data, member after member (gzip allows several), one byte past the size
// the IDX header claims at most: a bomb is stopped as soon as it outgrows its header,
// not after it has filled memory. Bytes after the last member that are no gzip member
// are refused.
std::vector<uint8_t> inflate_gzip(const std::string& path, const std::vector<uint8_t>& compressed) {
  z_stream stream{};
  // 15 + 16: a window of 2^15 and a gzip (not zlib) header.
  check(inflateInit2(&stream, 15 + 16) == Z_OK, "'", path, "': cannot start zlib");
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(std::min<size_t>(compressed.size(), UINT32_MAX));
  std::vector<uint8_t> out;
  uint64_t allowed = 0;  // once the header is in: its claimed size + 1
  auto stop = [&](const std::string& why) {
    inflateEnd(&stream);
    fail("'", path, "': ", why);
  };
  uint8_t chunk[1 << 16];
  for (;;) {
    const uint64_t room = allowed == 0 ? 64 : allowed - out.size();
    stream.next_out = chunk;
    stream.avail_out = static_cast<uInt>(std::min<uint64_t>(sizeof chunk, room));
    const int status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END && !(status == Z_BUF_ERROR && stream.avail_in > 0)) {
      const std::string reason = stream.msg ? stream.msg : (status == Z_BUF_ERROR ? "unexpected end of file" : "error");
      stop("corrupt gzip data at compressed byte offset " + std::to_string(compressed.size() - stream.avail_in) + ": " +
           reason);
    }
    const size_t produced = static_cast<size_t>(stream.next_out - chunk);
    try {
      out.insert(out.end(), chunk, chunk + produced);
    } catch (const std::bad_alloc&) {
      stop("not enough memory to inflate it (" + std::to_string(out.size()) + " bytes so far)");
    }
    if (allowed == 0) {
      const uint64_t claimed = claimed_size(out);
      if (claimed == kNotIdx) break;
      if (claimed == kTooLarge)
        stop("its header claims more than " + std::to_string(kMostBytes) + " bytes of data, more than aevb reads");
      if (claimed > 0) {
        allowed = claimed + 1;
        // Deflate expands 1032-fold at most, so a short file whose header claims
        // gigabytes (found by tests/fuzz/idx_fuzz.cpp) reserves no more than its data
        // can fill; the vector grows past that only as bytes arrive.
        const uint64_t most_inflated = uint64_t{1032} * compressed.size() + sizeof chunk;
        try {
          out.reserve(static_cast<size_t>(std::min(claimed, most_inflated)));
        } catch (const std::bad_alloc&) {
          stop("not enough memory for the " + std::to_string(claimed) + " bytes its header claims");
        }
      }
    }
    if (allowed != 0 && out.size() >= allowed) break;  // more than claimed: read_header names the excess
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      // Another member follows, or garbage.
      if (stream.avail_in >= 2 && stream.next_in[0] == 0x1f && stream.next_in[1] == 0x8b) {
        inflateReset(&stream);
        continue;
      }
      stop(std::to_string(stream.avail_in) + " bytes after the end of the gzip data, from compressed byte offset " +
           std::to_string(compressed.size() - stream.avail_in) + ", are not a gzip member");
    }
    if (status == Z_BUF_ERROR || (stream.avail_in == 0 && produced == 0))
      stop("truncated gzip data: the compressed file ends at byte offset " + std::to_string(compressed.size()) +
           " before the end of its gzip stream");
  }
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
  check(bytes.size() >= 4, "'", path, "': truncated header: ", bytes.size(),
        " bytes, expected at least 4 (the magic number)");
  check(bytes[0] == 0 && bytes[1] == 0, "'", path, "': wrong magic number at byte offset 0: first two bytes are ",
        static_cast<int>(bytes[0]), " ", static_cast<int>(bytes[1]), ", expected 0 0 (is this an IDX file?)");
  const bool float_type = bytes[2] == kFloat32 || bytes[2] == kFloat64;
  check(bytes[2] == kUnsignedByte || (allow_floats && float_type), "'", path, "': type code 0x", std::hex,
        static_cast<int>(bytes[2]), std::dec, " at byte offset 2 is not supported for ", what,
        allow_floats ? ": expected 0x08 (unsigned byte), 0x0d (float32) or 0x0e (float64)"
                     : ": expected 0x08 (unsigned byte)");
  check(bytes[3] == expected_dims, "'", path, "': ", static_cast<int>(bytes[3]),
        " dimensions at byte offset 3, expected ", expected_dims, " for ", what);
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(expected_dims);
  check(bytes.size() >= header_bytes, "'", path, "': truncated header: ", bytes.size(), " bytes, expected ",
        header_bytes, " (magic and ", expected_dims, " sizes)");
  std::vector<int64_t> sizes(static_cast<size_t>(expected_dims));
  for (int d = 0; d < expected_dims; ++d) sizes[static_cast<size_t>(d)] = big_endian_u32(bytes.data() + 4 + 4 * d);
  // Three 32-bit sizes can overflow 64 bits (found by tests/fuzz/idx_fuzz.cpp). One item
  // (an image) is sized first: with no items the total is 0 whatever an item's size,
  // and an image of 2^32 x 2^32 pixels would still overflow its readers' arithmetic
  // (found by the fuzzer too).
  int64_t item_bytes = element_bytes(bytes[2]);
  for (int d = 1; d < expected_dims; ++d)
    check(!__builtin_mul_overflow(item_bytes, sizes[static_cast<size_t>(d)], &item_bytes), "'", path,
          "': one item's sizes in the header (byte offsets 8 to ", header_bytes - 1,
          ") multiply to more than 2^63 bytes");
  int64_t total = 0;
  check(!__builtin_mul_overflow(item_bytes, sizes[0], &total), "'", path,
        "': the sizes in the header (byte offsets 4 to ", header_bytes - 1, ") multiply to more than 2^63 bytes");
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
  std::vector<uint8_t> bytes = files::read_regular_file(path, kMostBytes);
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
  check(set.rows > 0 && set.columns > 0, "'", path, "': images of ", set.rows, "x", set.columns,
        " pixels (byte offsets 8 to 15) hold no pixel");
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
           pixel % set.columns, ") at byte offset ", offset, " is ", value,
           ": float images must hold values in [0, 1]");
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
