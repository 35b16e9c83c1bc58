#include "datasets/mat5.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "autodiff/error.h"
#include "autodiff/files.h"

namespace aevb::datasets {
namespace {

constexpr uint32_t kMiInt8 = 1, kMiUint8 = 2, kMiInt32 = 5, kMiUint32 = 6, kMiMatrix = 14, kMiCompressed = 15;
constexpr uint8_t kUint8Class = 9;
constexpr size_t kHeaderBytes = 128;
constexpr int64_t kFreyRows = 28, kFreyColumns = 20;

const char* class_name(uint8_t mx_class) {
  static const char* names[] = {"unknown", "cell", "struct", "object", "char", "sparse", "double", "single",
                                "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"};
  return mx_class < 16 ? names[mx_class] : "unknown";
}

class MatReader {
 public:
  MatReader(std::string path, std::vector<uint8_t> bytes) : path_(std::move(path)), bytes_(std::move(bytes)) {}

  void need(size_t at, size_t count, const char* what) const {
    if (at + count > bytes_.size())
      fail("'", path_, "': truncated at byte offset ", bytes_.size(), " while reading ", what, " (", count,
           " bytes from offset ", at, ")");
  }
  uint32_t u32(size_t at) const {
    need(at, 4, "a 32-bit value");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{bytes_[at + i]} << (8 * (big_endian_ ? 3 - i : i));
    return v;
  }
  uint16_t u16(size_t at) const {
    need(at, 2, "a 16-bit value");
    return static_cast<uint16_t>(big_endian_ ? (bytes_[at] << 8) | bytes_[at + 1] : bytes_[at] | (bytes_[at + 1] << 8));
  }

  struct Element {
    uint32_t type;
    size_t data_at, size, next;  // next: offset of the following element
  };
  Element element(size_t at) const {
    uint32_t first = u32(at);
    if (first >> 16 != 0) {  // small data element: size in the high half, data in the tag's second word
      need(at + 4, first >> 16, "a small element's data");
      return {first & 0xffff, at + 4, first >> 16, at + 8};
    }
    uint32_t size = u32(at + 4);
    size_t padded = (static_cast<size_t>(size) + 7) / 8 * 8;
    need(at + 8, size, "an element's data");
    return {first, at + 8, size, at + 8 + padded};
  }

  void check_header() {
    need(0, kHeaderBytes, "the 128-byte header");
    char endian[2] = {static_cast<char>(bytes_[126]), static_cast<char>(bytes_[127])};
    if (endian[0] == 'M' && endian[1] == 'I')
      big_endian_ = true;
    else
      check(endian[0] == 'I' && endian[1] == 'M', "'", path_,
            "': not a MATLAB 5 MAT-file: bytes 126-127 should be \"IM\" or \"MI\" (the endian indicator)");
    check(u16(124) == 0x0100, "'", path_, "': MAT-file version 0x", std::hex, u16(124), std::dec,
          " at byte offset 124 is not supported (expected 0x0100, MATLAB 5; for -v7.3 files save with -v6)");
  }

  // Reads the matrix at `at` if it is a uint8 matrix; returns false when `wanted` is
  // set and the matrix has another name.
  bool read_matrix(const Element& matrix, const std::string& wanted, Mat5Matrix& out) const {
    Element flags = element(matrix.data_at);
    check(flags.type == kMiUint32 && flags.size == 8, "'", path_, "': malformed array flags at byte offset ",
          matrix.data_at);
    uint32_t flag_word = u32(flags.data_at);
    uint8_t mx_class = static_cast<uint8_t>(flag_word & 0xff);
    Element dims = element(flags.next);
    check(dims.type == kMiInt32 && dims.size % 4 == 0, "'", path_, "': malformed dimensions at byte offset ",
          flags.next);
    Element name = element(dims.next);
    check(name.type == kMiInt8, "'", path_, "': malformed array name at byte offset ", dims.next);
    out.name.assign(reinterpret_cast<const char*>(bytes_.data() + name.data_at), name.size);
    if (!wanted.empty() && out.name != wanted) return false;

    check(mx_class == kUint8Class, "'", path_, "': variable '", out.name, "' is of class ", class_name(mx_class),
          " (at byte offset ", flags.data_at, "); only uint8 matrices are supported");
    check((flag_word & 0x0800) == 0, "'", path_, "': variable '", out.name,
          "' is complex; only real matrices are supported");
    check(dims.size == 8, "'", path_, "': variable '", out.name, "' has ", dims.size / 4,
          " dimensions; only 2-D matrices are supported");
    out.rows = static_cast<int32_t>(u32(dims.data_at));
    out.columns = static_cast<int32_t>(u32(dims.data_at + 4));
    check(out.rows >= 0 && out.columns >= 0, "'", path_, "': negative dimensions at byte offset ", dims.data_at);
    Element real = element(name.next);
    check(real.type == kMiUint8, "'", path_, "': variable '", out.name, "' stores its data as type ", real.type,
          " at byte offset ", name.next, "; expected miUINT8 (2)");
    const size_t count = static_cast<size_t>(out.rows * out.columns);
    check(real.size == count, "'", path_, "': variable '", out.name, "' is ", out.rows, "x", out.columns, " = ", count,
          " values, but its data holds ", real.size, " bytes (at byte offset ", real.data_at, ")");
    out.values.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(real.data_at),
                      bytes_.begin() + static_cast<std::ptrdiff_t>(real.data_at + count));
    return true;
  }

  Mat5Matrix find(const std::string& wanted) {
    check_header();
    size_t at = kHeaderBytes;
    while (at < bytes_.size()) {
      Element e = element(at);
      check(e.type != kMiCompressed, "'", path_, "': the element at byte offset ", at,
            " is compressed (MATLAB -v7); only uncompressed files are supported: save with -v6");
      if (e.type == kMiMatrix) {
        Mat5Matrix matrix;
        if (read_matrix(e, wanted, matrix)) return matrix;
      }
      at = e.next;
    }
    if (wanted.empty()) fail("'", path_, "': no matrix in the file");
    fail("'", path_, "': no variable named '", wanted, "'");
  }

 private:
  std::string path_;
  std::vector<uint8_t> bytes_;
  bool big_endian_ = false;
};

void put_u32(std::vector<uint8_t>& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
void pad8(std::vector<uint8_t>& out) {
  while (out.size() % 8) out.push_back(0);
}

}  // namespace

Mat5Matrix read_mat5_uint8(const std::string& path, const std::string& variable) {
  // The Frey faces file is 1.1 MB; 1 GiB is far past any face set, and refuses /dev/zero
  // behind a link or a sparse file before a byte is read.
  MatReader reader(path, files::read_regular_file(path, uint64_t{1} << 30));
  return reader.find(variable);
}

void write_mat5_uint8(const std::string& path, const Mat5Matrix& matrix) {
  check(static_cast<int64_t>(matrix.values.size()) == matrix.rows * matrix.columns, "write_mat5_uint8: ",
        matrix.values.size(), " values for a ", matrix.rows, "x", matrix.columns, " matrix");
  std::vector<uint8_t> out(kHeaderBytes, ' ');
  const char text[] = "MATLAB 5.0 MAT-file, written by aevb";
  std::memcpy(out.data(), text, sizeof text - 1);
  std::fill(out.begin() + 116, out.begin() + 124, 0);
  out[124] = 0x00;  // version 0x0100, little-endian
  out[125] = 0x01;
  out[126] = 'I';
  out[127] = 'M';

  std::vector<uint8_t> body;
  put_u32(body, kMiUint32);  // array flags
  put_u32(body, 8);
  put_u32(body, kUint8Class);
  put_u32(body, 0);
  put_u32(body, kMiInt32);  // dimensions
  put_u32(body, 8);
  put_u32(body, static_cast<uint32_t>(matrix.rows));
  put_u32(body, static_cast<uint32_t>(matrix.columns));
  put_u32(body, kMiInt8);  // name
  put_u32(body, static_cast<uint32_t>(matrix.name.size()));
  body.insert(body.end(), matrix.name.begin(), matrix.name.end());
  pad8(body);
  put_u32(body, kMiUint8);  // real part
  put_u32(body, static_cast<uint32_t>(matrix.values.size()));
  body.insert(body.end(), matrix.values.begin(), matrix.values.end());
  pad8(body);

  put_u32(out, kMiMatrix);
  put_u32(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (!file) fail("'", path, "': writing failed: ", std::strerror(errno));
}

ImageSet read_frey_faces(const std::string& path) {
  Mat5Matrix matrix = read_mat5_uint8(path);
  check(matrix.rows == kFreyRows * kFreyColumns, "'", path, "': variable '", matrix.name, "' has ", matrix.rows,
        " rows; Frey faces need ", kFreyRows * kFreyColumns, " (one 28x20 face per column)");
  ImageSet set;
  set.name = path;
  check(matrix.columns >= 2, "'", path, "': variable '", matrix.name, "' holds ", matrix.columns,
        " faces (columns); a training and a test set need at least 2");
  set.count = matrix.columns;
  set.rows = kFreyRows;
  set.columns = kFreyColumns;
  set.pixels = std::move(matrix.values);  // column-major [560, N] is [N, 28, 20] row-major
  return set;
}

}  // namespace aevb::datasets
