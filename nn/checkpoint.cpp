#include "nn/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "autodiff/error.h"
#include "autodiff/files.h"

namespace aevb::nn {
namespace {

constexpr char kMagic[8] = {'A', 'E', 'V', 'B', 'C', 'K', 'P', 'T'};

uint32_t crc32_of(const uint8_t* bytes, size_t count) {
  return static_cast<uint32_t>(::crc32(::crc32(0L, Z_NULL, 0), bytes, static_cast<uInt>(count)));
}

// --- writing ------------------------------------------------------------------------

class ByteWriter {
 public:
  template <class T>
  void put(T value) {  // little-endian, whatever the host
    for (size_t i = 0; i < sizeof(T); ++i)
      bytes_.push_back(static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i)));
  }
  void put_name(const std::string& name) {
    check(!name.empty() && name.size() <= 0xffff, "checkpoint: name '", name.substr(0, 64),
          "' must have 1 to 65535 bytes");
    put<uint16_t>(static_cast<uint16_t>(name.size()));
    bytes_.insert(bytes_.end(), name.begin(), name.end());
  }
  void put_floats(const float* values, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &values[i], sizeof bits);
      put<uint32_t>(bits);
    }
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// --- reading ------------------------------------------------------------------------

class ByteReader {
 public:
  ByteReader(const std::string& path, std::vector<uint8_t> bytes) : path_(path), bytes_(std::move(bytes)) {}

  void need(size_t count, const std::string& what) {
    if (bytes_.size() - offset_ < count)
      fail("checkpoint '", path_, "': truncated at byte offset ", bytes_.size(), " while reading ", what,
           " (", count, " bytes from offset ", offset_, ")");
  }
  template <class T>
  T get(const std::string& what) {
    need(sizeof(T), what);
    uint64_t value = 0;
    for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<uint64_t>(bytes_[offset_ + i]) << (8 * i);
    offset_ += sizeof(T);
    return static_cast<T>(value);
  }
  std::string get_name(const std::string& what) {
    auto length = get<uint16_t>(what + " name length");
    need(length, what + " name");
    std::string name(reinterpret_cast<const char*>(bytes_.data() + offset_), length);
    offset_ += length;
    return name;
  }
  const uint8_t* at() const { return bytes_.data() + offset_; }
  const uint8_t* start() const { return bytes_.data(); }
  size_t offset() const { return offset_; }
  size_t size() const { return bytes_.size(); }
  void skip(size_t count) { offset_ += count; }

 private:
  std::string path_;
  std::vector<uint8_t> bytes_;
  size_t offset_ = 0;
};

std::vector<uint8_t> read_whole_file(const std::string& path, uint64_t limit) {
  try {
    return files::read_regular_file(path, limit);
  } catch (const Error& error) {
    fail("checkpoint ", error.what());
  }
}

// The most bytes a checkpoint of these tensors can take: their data, and per tensor its
// name, shape and checksum; the counters and texts get 1 MiB. A larger file is refused
// before it is read (a sparse 100 GB file, /dev/zero behind a link).
uint64_t size_bound(const std::vector<const Tensor*>& tensors, uint64_t extra_factor) {
  uint64_t bytes = 1 << 20;
  for (const Tensor* tensor : tensors)
    bytes += extra_factor * (static_cast<uint64_t>(tensor->numel()) * 4 + 65536 + 8 * kMaxRank);
  return bytes;
}

}  // namespace

void write_checkpoint_file(const std::string& path, const std::map<std::string, uint64_t>& counters,
                           const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                           const std::map<std::string, std::string>& texts) {
  ByteWriter out;
  for (char c : kMagic) out.put<uint8_t>(static_cast<uint8_t>(c));
  out.put<uint32_t>(kCheckpointVersion);
  out.put<uint32_t>(static_cast<uint32_t>(counters.size()));
  out.put<uint32_t>(static_cast<uint32_t>(tensors.size()));
  for (const auto& [name, value] : counters) {
    out.put_name(name);
    out.put<uint64_t>(value);
  }
  out.put<uint32_t>(static_cast<uint32_t>(texts.size()));
  for (const auto& [name, value] : texts) {
    out.put_name(name);
    out.put_name(value.empty() ? std::string(1, '\0') : value);  // an empty text is stored as one NUL
  }
  out.put<uint32_t>(crc32_of(out.bytes().data(), out.bytes().size()));
  std::set<std::string> seen;
  for (const auto& [name, tensor] : tensors) {
    check(seen.insert(name).second, "checkpoint: tensor name '", name, "' appears twice");
    out.put_name(name);
    const Shape& shape = tensor->shape();
    out.put<uint8_t>(static_cast<uint8_t>(shape.rank()));
    for (int axis = 0; axis < shape.rank(); ++axis) out.put<int64_t>(shape[axis]);
    size_t crc_at = out.bytes().size();
    out.put<uint32_t>(0);
    size_t data_at = out.bytes().size();
    out.put_floats(tensor->data(), tensor->numel());
    uint32_t crc = crc32_of(out.bytes().data() + data_at, out.bytes().size() - data_at);
    for (size_t i = 0; i < 4; ++i) out.bytes()[crc_at + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  try {
    files::write_file_atomically(path, out.bytes());
  } catch (const Error& error) {
    fail("checkpoint: ", error.what());
  }
}

CheckpointContents read_checkpoint_file(const std::string& path, uint64_t limit) {
  ByteReader in(path, read_whole_file(path, limit));
  in.need(sizeof kMagic, "the magic number");
  check(std::memcmp(in.at(), kMagic, sizeof kMagic) == 0, "checkpoint '", path,
        "': wrong magic number at byte offset 0: this is not an aevb checkpoint (expected \"AEVBCKPT\")");
  in.skip(sizeof kMagic);
  auto version = in.get<uint32_t>("the format version");
  check(version == 1 || version == kCheckpointVersion, "checkpoint '", path, "': unknown format version ", version,
        " at byte offset 8 (this build reads versions 1 and ", kCheckpointVersion, ")");
  auto counter_count = in.get<uint32_t>("the counter count");
  auto tensor_count = in.get<uint32_t>("the tensor count");

  CheckpointContents contents;
  for (uint32_t c = 0; c < counter_count; ++c) {
    std::string name = in.get_name("counter " + std::to_string(c));
    contents.counters[name] = in.get<uint64_t>("counter '" + name + "'");
  }
  if (version >= 2) {
    const auto text_count = in.get<uint32_t>("the text count");
    for (uint32_t t = 0; t < text_count; ++t) {
      std::string name = in.get_name("text " + std::to_string(t));
      std::string value = in.get_name("text '" + name + "'");
      contents.texts[name] = value == std::string(1, '\0') ? std::string() : value;
    }
  }
  const uint32_t header_crc = crc32_of(in.start(), in.offset());
  const size_t header_crc_at = in.offset();
  check(in.get<uint32_t>("the header checksum") == header_crc, "checkpoint '", path,
        "': checksum mismatch in the header and counters (checksum at byte offset ", header_crc_at, ")");

  for (uint32_t t = 0; t < tensor_count; ++t) {
    std::string name = in.get_name("tensor " + std::to_string(t));
    auto rank = in.get<uint8_t>("the rank of tensor '" + name + "'");
    check(rank <= kMaxRank, "checkpoint '", path, "': tensor '", name, "' has rank ", static_cast<int>(rank),
          " at byte offset ", in.offset() - 1, " (at most ", kMaxRank, ")");
    Shape shape;
    int64_t elements = 1;
    for (int axis = 0; axis < rank; ++axis) {
      auto size = in.get<int64_t>("the sizes of tensor '" + name + "'");
      check(size >= 0 && size <= (int64_t{1} << 40), "checkpoint '", path, "': tensor '", name, "' has size ", size,
            " at byte offset ", in.offset() - 8);
      // Sizes whose product overflows, or promises more than the file holds, end here
      // (found by tests/fuzz/checkpoint_fuzz.cpp).
      check(!__builtin_mul_overflow(elements, size, &elements) &&
                elements <= static_cast<int64_t>(in.size() / sizeof(float)),
            "checkpoint '", path, "': tensor '", name, "' has sizes that need more than the file's ", in.size(),
            " bytes (size at byte offset ", in.offset() - 8, ")");
      shape = shape.with_rank_appended(size);
    }
    auto stored_crc = in.get<uint32_t>("the checksum of tensor '" + name + "'");
    const size_t data_bytes = static_cast<size_t>(shape.numel()) * sizeof(float);
    in.need(data_bytes, "the data of tensor '" + name + "'");
    check(crc32_of(in.at(), data_bytes) == stored_crc, "checkpoint '", path, "': checksum mismatch in tensor '", name,
          "' (data at byte offset ", in.offset(), ")");
    Tensor tensor(shape);
    for (int64_t i = 0; i < shape.numel(); ++i) {
      uint32_t bits = 0;
      for (size_t b = 0; b < 4; ++b) bits |= static_cast<uint32_t>(in.at()[4 * i + b]) << (8 * b);
      std::memcpy(&tensor[i], &bits, sizeof bits);
    }
    in.skip(data_bytes);
    contents.tensors.emplace_back(std::move(name), std::move(tensor));
  }
  check(in.offset() == in.size(), "checkpoint '", path, "': ", in.size() - in.offset(),
        " unexpected bytes after the last tensor, from byte offset ", in.offset());
  return contents;
}

namespace {
std::vector<std::pair<std::string, Tensor*>> everything_saved(Module& model, Optimizer& optimizer) {
  std::vector<std::pair<std::string, Tensor*>> entries;
  for (const NamedParameter& named : model.named_parameters())
    entries.emplace_back("model." + named.name, &named.parameter->value());
  for (auto& [name, tensor] : optimizer.state()) entries.emplace_back("optimizer." + name, tensor);
  return entries;
}
}  // namespace

void save_checkpoint(const std::string& path, Module& model, Optimizer& optimizer, const Rng& rng,
                     TrainingProgress progress, const std::map<std::string, std::string>& configuration) {
  std::vector<std::pair<std::string, const Tensor*>> tensors;
  for (auto& [name, tensor] : everything_saved(model, optimizer)) tensors.emplace_back(name, tensor);
  std::map<std::string, uint64_t> counters = {
      {"epoch", progress.epoch},
      {"step", progress.step},
      {"optimizer.steps", static_cast<uint64_t>(optimizer.step_count())},
      {"rng.seed", rng.seed()},
      {"rng.stream", rng.stream()},
      {"rng.position", rng.position()},
  };
  write_checkpoint_file(path, counters, tensors, configuration);
}

CheckpointContents read_checkpoint_for(const std::string& path, Module& model, Optimizer& optimizer) {
  std::vector<const Tensor*> tensors;
  for (auto& [name, tensor] : everything_saved(model, optimizer)) tensors.push_back(tensor);
  return read_checkpoint_file(path, size_bound(tensors, 1));
}

TrainingProgress load_checkpoint(const std::string& path, Module& model, Optimizer& optimizer, Rng& rng) {
  return load_checkpoint(read_checkpoint_for(path, model, optimizer), path, model, optimizer, rng);
}

TrainingProgress load_checkpoint(CheckpointContents contents, const std::string& path, Module& model,
                                 Optimizer& optimizer, Rng& rng) {
  std::map<std::string, const Tensor*> in_file;
  for (const auto& [name, tensor] : contents.tensors) in_file[name] = &tensor;

  // Check everything first, so a failed load changes nothing.
  auto expected = everything_saved(model, optimizer);
  std::set<std::string> expected_names;
  for (const auto& [name, tensor] : expected) {
    expected_names.insert(name);
    auto found = in_file.find(name);
    check(found != in_file.end(), "checkpoint '", path, "': tensor '", name, "' is missing");
    check(found->second->shape() == tensor->shape(), "checkpoint '", path, "': tensor '", name, "' has shape ",
          found->second->shape(), " in the file but ", tensor->shape(), " in the model");
  }
  for (const auto& [name, tensor] : contents.tensors)
    check(expected_names.count(name) == 1, "checkpoint '", path, "': extra tensor '", name,
          "' that the model and optimizer do not have");
  for (const char* counter : {"epoch", "step", "optimizer.steps", "rng.seed", "rng.stream", "rng.position"})
    check(contents.counters.count(counter) == 1, "checkpoint '", path, "': counter '", counter, "' is missing");

  for (auto& [name, tensor] : expected) *tensor = *in_file[name];
  optimizer.set_step_count(static_cast<int64_t>(contents.counters["optimizer.steps"]));
  rng = Rng(contents.counters["rng.seed"], contents.counters["rng.stream"]);
  rng.set_position(contents.counters["rng.position"]);
  return {contents.counters["epoch"], contents.counters["step"]};
}

void save_model(const std::string& path, Module& model, const std::map<std::string, uint64_t>& counters) {
  std::vector<std::pair<std::string, const Tensor*>> tensors;
  for (const NamedParameter& named : model.named_parameters())
    tensors.emplace_back("model." + named.name, &named.parameter->value());
  write_checkpoint_file(path, counters, tensors);
}

std::map<std::string, uint64_t> load_model(const std::string& path, Module& model) {
  std::vector<const Tensor*> tensors;
  for (const NamedParameter& named : model.named_parameters()) tensors.push_back(&named.parameter->value());
  // A training checkpoint holds the optimizer's state too (Adam: two moments): 4x.
  CheckpointContents contents = read_checkpoint_file(path, size_bound(tensors, 4));
  std::map<std::string, const Tensor*> in_file;
  for (const auto& [name, tensor] : contents.tensors)
    if (name.rfind("model.", 0) == 0) in_file[name] = &tensor;
  std::vector<NamedParameter> parameters = model.named_parameters();
  for (const NamedParameter& named : parameters) {
    auto found = in_file.find("model." + named.name);
    check(found != in_file.end(), "checkpoint '", path, "': tensor 'model.", named.name, "' is missing");
    check(found->second->shape() == named.parameter->shape(), "checkpoint '", path, "': tensor 'model.", named.name,
          "' has shape ", found->second->shape(), " in the file but ", named.parameter->shape(), " in the model");
  }
  check(in_file.size() == parameters.size(), "checkpoint '", path, "' holds ", in_file.size(),
        " model tensors but the model has ", parameters.size(), " parameters");
  for (const NamedParameter& named : parameters) named.parameter->value() = *in_file["model." + named.name];
  return contents.counters;
}

}  // namespace aevb::nn
